#include "pipeline/demo_job.hpp"

#include <cstdlib>
#include <filesystem>

#include "common/errors.hpp"
#include "synth/generate_files.hpp"

namespace kseg {
namespace {

// Rank 0 creates the folder; every rank learns its name.
std::string demo_directory(const std::string& requested, const Communicator& comm) {
  std::string path = requested;
  if (comm.is_root()) {
    if (path.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/kseg-demo-XXXXXX";
      if (!mkdtemp(pattern.data())) throw IoError(pattern + ": cannot create a temporary folder");
      path = pattern;
    } else {
      std::filesystem::create_directories(path);
    }
  }
  return comm.broadcast_string(path, 0);
}

}  // namespace

DemoOutcome demo_job(const DemoParams& p, bool quiet, const Communicator& comm, const Logger& log) {
  const std::string dir = demo_directory(p.directory, comm);
  GenerateOptions data;
  data.transactions = true;
  data.customers = p.customers;
  data.output = dir + "/transactions.h5";
  data.force = true;
  data.quiet = quiet;
  generate_transactions_file(data, comm, log);

  RunParams run = p.run;
  run.input = data.output;
  run.model.step.as_of = data.end;
  run.output = dir + "/segments.h5";
  run.force = true;
  return {data.output, data.end, run.output, run_job(run, comm, log)};
}

}  // namespace kseg
