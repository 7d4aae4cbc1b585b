#!/bin/bash
# The GPU checks in one run, for a GPU machine lent for minutes that has none of kseg's build
# dependencies: the CUDA tests (CUDA against the CPU backend, bit for bit), then `kseg bench
# --device cuda` with full passes and with both kinds of bounded passes, from the binaries and
# libraries bench/gpu_bundle.sh packed into BUNDLE. Logs go to $OUT (else ./gpu-check).
# Usage: bench/gpu_check.sh [BUNDLE (.gpu-bundle)] [CUSTOMERS (20000000)]
set -uo pipefail
bundle=$(cd "${1:-.gpu-bundle}" && pwd) || exit 1
customers=${2:-20000000}
out=${OUT:-gpu-check}
mkdir -p "$out"

export LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OPAL_PKGLIBDIR="$bundle/openmpi" OPAL_PKGDATADIR="$bundle/openmpi-texts"
export OMPI_MCA_mca_base_component_path="$bundle/openmpi" PMIX_MCA_mca_base_component_path="$bundle/pmix"
export OMPI_MCA_ess_singleton_isolated=1  # one process: no runtime daemon to start
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

summary="$out/summary.txt"
: > "$summary"
step() {  # step NAME COMMAND...: its output to NAME.log, its exit status and time to the summary
  local name=$1 started=$SECONDS
  shift
  "$@" > "$out/$name.log" 2>&1
  echo "$name: exit $? in $((SECONDS - started)) s" | tee -a "$summary"
}

step device nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
step gpu_tests "$bundle/kseg_gpu_tests"
for acceleration in none hamerly yinyang; do
  step "bench_$acceleration" "$bundle/kseg" bench --device cuda --customers "$customers" --features 32 \
    --k 16,64,256 --iters 20 --acceleration "$acceleration"
done
grep -hE "PASSED|FAILED|SKIPPED \]|ms per iteration|mean after|floor" "$out"/*.log | head -60 >> "$summary"
cat "$summary"
