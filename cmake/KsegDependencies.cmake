# Every dependency is found as an imported target; nothing here reaches the network.
find_package(MPI REQUIRED COMPONENTS C CXX)

set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "kseg needs a parallel (MPI-IO) HDF5, found a serial one at ${HDF5_INCLUDE_DIRS}. "
    "On Debian: apt-get install libhdf5-openmpi-dev")
endif()

find_package(CLI11 CONFIG REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)

# Thrust for the feature kernels (compiled for OpenMP here, for CUDA by nvcc): the CUDA
# toolkit's CCCL where it is installed, otherwise Debian's libthrust-dev.
find_path(KSEG_THRUST_INCLUDE_DIR NAMES thrust/version.h
  HINTS /usr/local/cuda/include/cccl /usr/local/cuda/include
  DOC "Folder holding thrust/ and cub/")
if(NOT KSEG_THRUST_INCLUDE_DIR)
  message(FATAL_ERROR "Thrust not found: install the CUDA toolkit or apt-get install libthrust-dev libcub-dev")
endif()

if(KSEG_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
