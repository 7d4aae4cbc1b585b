#!/usr/bin/env bash
# kseg set-up: installs what is missing (Debian/Ubuntu), configures and builds, then
#   ./setup.sh demo   runs the built-in demo on 2 MPI ranks
#   ./setup.sh test   runs the whole test suite (unit, MPI at 1/2/4 ranks, end-to-end)
#   ./setup.sh build  only builds
# Idempotent: quiet when everything is already installed and built.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  cmake ninja-build g++ pkg-config
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools libcli11-dev libgtest-dev
  python3 python3-numpy python3-h5py python3-sklearn python3-pandas libopenblas0-pthread
  slurmctld slurmd slurm-client munge clang libclang-rt-14-dev chromium python3-pil
)
BUILD_DIR=${KSEG_BUILD_DIR:-build}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  local log="$BUILD_DIR/setup.log"
  mkdir -p "$BUILD_DIR"
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    echo "setup: configuring in $BUILD_DIR"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1 || { cat "$log"; exit 1; }
  fi
  cmake --build "$BUILD_DIR" >"$log" 2>&1 || { cat "$log"; exit 1; }
}

mpi_environment() {
  if [ "$(id -u)" -eq 0 ]; then  # Open MPI refuses root unless told twice
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  export OMPI_MCA_rmaps_base_oversubscribe=1
}

install_missing_packages
build
mpi_environment
case "${1:-build}" in
  demo) exec mpiexec -n 2 "$BUILD_DIR/kseg" demo ;;
  test) exec ctest --test-dir "$BUILD_DIR" --output-on-failure ;;
  build) echo "setup: built $BUILD_DIR/kseg" ;;
  *) echo "usage: $0 [demo|test|build]" >&2; exit 2 ;;
esac
