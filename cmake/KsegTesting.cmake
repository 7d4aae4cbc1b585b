# Test registration helpers. Every test has a timeout so that a hung MPI job fails instead of
# blocking CI, and MPI tests run as root with oversubscription (4 ranks on 2 cores).
set(KSEG_TEST_ENV
  "OMPI_ALLOW_RUN_AS_ROOT=1"
  "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
  "OMPI_MCA_rmaps_base_oversubscribe=1"
  # Shared-memory transport only: skips UCX/OFI probing, which is slow and useless on one node.
  "OMPI_MCA_pml=ob1"
  "OMPI_MCA_btl=self,vader"
  "OMPI_MCA_osc=^ucx"
  "OMP_NUM_THREADS=2"
  # Idle OpenMP threads sleep instead of spinning: with 4 ranks of 2 threads on 2 cores, spinning
  # threads starve the ranks that have work, and a test full of collectives ran minutes, not seconds.
  "OMP_WAIT_POLICY=passive")

# kseg_add_mpi_test(NAME name RANKS 1 2 4 COMMAND exe args... [TIMEOUT s] [LABELS ...])
# registers name_np<R> for each rank count R, run through ${MPIEXEC_EXECUTABLE}.
function(kseg_add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "RANKS;COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  foreach(ranks IN LISTS T_RANKS)
    set(test_name ${T_NAME}_np${ranks})
    add_test(NAME ${test_name}
      COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${MPIEXEC_PREFLAGS} ${T_COMMAND})
    set_tests_properties(${test_name} PROPERTIES
      TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${KSEG_TEST_ENV}" LABELS "mpi;${T_LABELS}")
  endforeach()
endfunction()

# kseg_add_python_test(NAME name SCRIPT file [ARGS ...] [TIMEOUT s]): an end-to-end test that
# drives the kseg binary and reads its HDF5 output with h5py, as a user would.
function(kseg_add_python_test)
  cmake_parse_arguments(T "" "NAME;SCRIPT;TIMEOUT" "ARGS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME}
    COMMAND ${KSEG_TEST_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/${T_SCRIPT}
            --kseg $<TARGET_FILE:kseg> --mpiexec ${MPIEXEC_EXECUTABLE} ${T_ARGS})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${KSEG_TEST_ENV}" LABELS "e2e")
endfunction()

# kseg_add_mpi_gtest_suites(TARGET exe SUITES A B ... RANKS 1 2 4 [LABELS ...]) registers
# mpi_<Suite>_np<R> for every suite and rank count (each runs exe --gtest_filter for its suite),
# so that CTest lists and reports each case; mpi_<TARGET>_suites_registered fails when the
# binary holds a suite that is not in SUITES.
function(kseg_add_mpi_gtest_suites)
  cmake_parse_arguments(T "" "TARGET" "SUITES;RANKS;LABELS" ${ARGN})
  foreach(suite IN LISTS T_SUITES)
    kseg_add_mpi_test(NAME mpi_${suite} RANKS ${T_RANKS} LABELS ${T_LABELS}
                      COMMAND $<TARGET_FILE:${T_TARGET}> --gtest_filter=*${suite}.*)
  endforeach()
  add_test(NAME mpi_${T_TARGET}_suites_registered
           COMMAND ${KSEG_TEST_PYTHON} ${PROJECT_SOURCE_DIR}/tests/support/check_suites_registered.py ${MPIEXEC_EXECUTABLE}
                   $<TARGET_FILE:${T_TARGET}> ${T_SUITES})
  set_tests_properties(mpi_${T_TARGET}_suites_registered PROPERTIES ENVIRONMENT "${KSEG_TEST_ENV}" LABELS "mpi;${T_LABELS}")
endfunction()
