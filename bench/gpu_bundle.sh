#!/bin/bash
# Packs what the GPU checks need for a machine that has a GPU and a CUDA driver but none of kseg's
# build dependencies (Open MPI, HDF5): the built binaries, the shared libraries they and Open
# MPI's and PMIx's components load (glibc's own excepted), the components and Open MPI's help
# texts. bench/gpu_check.sh then runs there from the bundle (README, GPUs).
# Usage: bench/gpu_bundle.sh [BUILD_DIR (build)] [BUNDLE (.gpu-bundle)]
set -euo pipefail
build=${1:-build}
bundle=${2:-.gpu-bundle}
for binary in kseg kseg_gpu_tests; do
  [ -x "$build/$binary" ] || { echo "gpu_bundle: $build/$binary missing: build with CUDA first (./setup.sh build)" >&2; exit 1; }
done
grep -q "KSEG_CUDA:BOOL=ON" "$build/CMakeCache.txt" || { echo "gpu_bundle: $build was configured without CUDA" >&2; exit 1; }

path_of() { ompi_info --path "$1" --parsable | cut -d: -f3; }
ompi_components=$(path_of pkglibdir)
ompi_texts=$(path_of pkgdatadir)
pmix_components=$(dirname "$(readlink -f "$(ldconfig -p | awk '/libpmix.so.2 / {print $NF; exit}')")")/pmix

rm -rf "$bundle"
mkdir -p "$bundle/lib" "$bundle/openmpi" "$bundle/pmix" "$bundle/openmpi-texts"
cp "$build/kseg" "$build/kseg_gpu_tests" "$bundle/"
cp "$ompi_components"/*.so "$bundle/openmpi/"
[ -d "$pmix_components" ] && cp "$pmix_components"/*.so "$bundle/pmix/"
cp -r "$ompi_texts"/. "$bundle/openmpi-texts/"
# Every library any of them loads, but the C library's own: the target machine has a newer one.
{ ldd "$bundle"/kseg "$bundle"/kseg_gpu_tests "$bundle"/openmpi/*.so "$bundle"/pmix/*.so 2>/dev/null || true; } |
  awk '/=> \// {print $3}' | sort -u |
  grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|ld-linux-x86-64)\.so' |
  while read -r library; do cp -L "$library" "$bundle/lib/"; done
echo "gpu_bundle: $(du -sh "$bundle" | cut -f1) in $bundle; on the GPU machine: bench/gpu_check.sh $bundle"
