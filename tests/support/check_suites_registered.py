"""Fails when a GoogleTest binary holds a suite that CTest does not run: every suite of the
binary (its --gtest_list_tests, instantiation prefixes dropped) must be among the names given."""
import subprocess
import sys

mpiexec, binary, registered = sys.argv[1], sys.argv[2], set(sys.argv[3:])
listing = subprocess.run([mpiexec, "-n", "1", binary, "--gtest_list_tests"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
suites = {line.split("#")[0].strip().rstrip(".").split("/")[-1]
          for line in listing.splitlines() if line and not line.startswith(" ")}
missing = sorted(suites - registered)
print(f"suites in {binary}: {sorted(suites)}")
sys.exit(f"not registered with CTest: {missing} (add them to kseg_add_mpi_gtest_suites)" if missing else 0)
