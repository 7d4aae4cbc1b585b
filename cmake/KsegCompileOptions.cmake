# Floating point stays canonical: no implicit FMA contraction, so a point's distance is the same
# sequence of IEEE operations on every backend (docs/DESIGN.md, principle 1). Explicit fmaf()
# is used where a fused multiply-add is wanted.
add_library(kseg_compile_options INTERFACE)
target_compile_options(kseg_compile_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -ffp-contract=off>
  $<$<COMPILE_LANGUAGE:CUDA>:--fmad=false>)
if(KSEG_NATIVE_ARCH)
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag(-march=native KSEG_HAS_MARCH_NATIVE)
  if(KSEG_HAS_MARCH_NATIVE)
    target_compile_options(kseg_compile_options INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
  endif()
endif()
target_include_directories(kseg_compile_options INTERFACE
  ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
