#include <iostream>
#include <memory>

#include "host/commands.hpp"
#include "host/job.hpp"

namespace kseg {

void add_run_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Segment customers: each MPI rank reads its block of /features/matrix, k-means runs on all ranks "
      "together, and every customer's segment plus the model are written to --out (HDF5).");
  cmd->add_option("--input", o->input, "Features file (HDF5 with /features/matrix and /features/customer_id)")->required();
  cmd->add_option("--out", o->output, "Result file; written as <out>.partial and renamed when complete")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists (otherwise kseg refuses)");
  add_kmeans_options(*cmd, *o);
  add_output_style_options(*cmd, o->quiet, o->json);
  cmd->set_config("--config", "", "TOML file with any of these options (command-line values win)");
  cmd->callback([o, cmd, &comm] {
    o->effective_config = cmd->config_to_str(/*default_also=*/true, /*write_description=*/false);
    const JobSummary summary = run_job(*o, comm, Logger(comm.is_root() && !o->quiet));
    if (o->json && comm.is_root()) std::cout << to_json(summary).str() << std::endl;
  });
}

}  // namespace kseg
