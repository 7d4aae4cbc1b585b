#include <mpi.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/communicator.hpp"
#include "common/errors.hpp"
#include "common/version.hpp"
#include "host/commands.hpp"
#include "io/hdf5.hpp"

namespace {

int exit_code_of(const kseg::Error& e) {
  if (dynamic_cast<const kseg::InputError*>(&e)) return kseg::kExitInput;
  if (dynamic_cast<const kseg::IoError*>(&e)) return kseg::kExitIo;
  if (dynamic_cast<const kseg::MpiError*>(&e)) return kseg::kExitMpi;
  if (dynamic_cast<const kseg::DeviceError*>(&e)) return kseg::kExitDevice;
  if (dynamic_cast<const kseg::Interrupted*>(&e)) return kseg::kExitCheckpointed;
  return kseg::kExitInternal;
}

// An error every rank raised alike ends the job cleanly, reported once by rank 0. An error only
// this rank saw is reported here and the other ranks are aborted, so none is left waiting.
int finish_with_error(const std::string& message, kseg::ErrorScope scope, int code, int rank, int ranks) {
  if (scope == kseg::ErrorScope::this_rank || rank == 0) {
    const std::string where = ranks > 1 && scope == kseg::ErrorScope::this_rank ? " on rank " + std::to_string(rank) : "";
    // One write per line: lines of ranks failing at once must not interleave ("kseg: kseg: ...").
    std::cerr << "kseg: " + std::string(code == kseg::kExitCheckpointed ? "stopped" : "error") + where + ": " + message + "\n"
              << std::flush;
  }
  if (scope == kseg::ErrorScope::this_rank && ranks > 1) MPI_Abort(MPI_COMM_WORLD, code);
  if (code == kseg::kExitIo) {
    // MPI_Finalize would run HDF5's cleanup, which crashes closing a file whose writes failed
    // (disk full): once every rank has reported, leave the files to the operating system.
    if (ranks > 1) MPI_Barrier(MPI_COMM_WORLD);
    std::_Exit(code);
  }
  MPI_Finalize();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  kseg::h5::take_over_library();

  CLI::App app{"kseg: customer segmentation at scale. MPI ranks read a customer feature matrix from HDF5, "
               "run k-means together, and write every customer's segment.\n"
               "Start with `kseg demo`; run on a cluster with `mpirun -n P kseg run --input F --k K --out R`."};
  app.set_version_flag("--version", std::string("kseg ") + kseg::kVersion);
  app.require_subcommand(1);
  try {
    const kseg::Communicator comm(MPI_COMM_WORLD);
    const std::vector<kseg::Command> commands = {
        kseg::add_generate_command(app, comm), kseg::add_run_command(app, comm), kseg::add_features_command(app, comm), kseg::add_select_k_command(app, comm),
        kseg::add_demo_command(app, comm), kseg::add_bench_command(app, comm), kseg::add_import_command(app, comm), kseg::add_assign_command(app, comm),
        kseg::add_campaign_command(app, comm)};
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // --help and --version print and succeed; a bad command line is bad input: one line, exit 2.
      std::ostringstream out, err;
      const bool ok = app.exit(e, out, err) == 0;
      if (rank == 0 && ok) std::cout << out.str(), std::cerr << err.str();
      if (rank == 0 && !ok) std::cerr << "kseg: error: " << e.what() << " (kseg --help lists the options)" << std::endl;
      MPI_Finalize();
      return ok ? kseg::kExitOk : kseg::kExitInput;
    }
    for (const kseg::Command& command : commands)
      if (command.cli->parsed()) command.run();
  } catch (const kseg::Error& e) {
    return finish_with_error(e.what(), e.scope(), exit_code_of(e), rank, ranks);
  } catch (const std::exception& e) {
    return finish_with_error(std::string("internal error: ") + e.what(), kseg::ErrorScope::this_rank,
                             kseg::kExitInternal, rank, ranks);
  }
  kseg::h5::close_library();
  MPI_Finalize();
  return kseg::kExitOk;
}
