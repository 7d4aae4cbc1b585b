#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include "common/errors.hpp"
#include "host/cli_checks.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "pipeline/write_stage.hpp"
#include "synth/generate_files.hpp"

namespace kseg {
namespace {

struct DemoOptions {
  std::string directory;
  int64_t customers = 50000;
  RunCommandOptions run;
};

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

void print_segment_table(const JobSummary& s) {
  std::cout << "\nSegments of " << with_thousands(s.customers) << " customers:\n"
            << std::left << std::setw(9) << "segment" << std::right << std::setw(11) << "customers" << std::setw(8)
            << "share" << std::setw(10) << "revenue" << std::setw(10) << "mean CLV" << std::setw(11) << "retention"
            << "   name: suggested action\n";
  for (const SegmentProfile& p : s.profiles)
    std::cout << std::left << std::setw(9) << p.segment << std::right << std::setw(11) << with_thousands(p.customers)
              << std::setw(8) << percent_text(p.share, 1) << std::setw(10) << percent_text(p.revenue_share, 1) << std::setw(10)
              << fixed_decimals(p.mean_clv, 0) << std::setw(11) << percent_text(p.retention, 1) << "   " << p.name << ": "
              << p.action << '\n';
}

void run_demo(DemoOptions& o, const Communicator& comm) {
  const Logger log(comm.is_root() && !o.run.quiet);
  RunParams run = run_params(o.run);
  const std::string dir = demo_directory(o.directory, comm);
  GenerateOptions data;
  data.transactions = true;
  data.customers = o.customers;
  data.output = dir + "/transactions.h5";
  data.force = true;
  data.quiet = o.run.quiet;
  generate_transactions_file(data, comm, log);

  run.input = data.output;
  run.model.step.as_of = data.end;
  run.output = dir + "/segments.h5";
  run.force = true;
  const JobSummary summary = run_job(run, comm, log);
  if (!comm.is_root()) return;
  if (o.run.json) {
    std::cout << to_json(summary).str() << std::endl;
    return;
  }
  const std::string stem = result_stem(run.output);
  print_segment_table(summary);
  std::cout << "\nInput:   " << data.output << " (a synthetic retailer's order lines, as of " << data.end << ")"
            << "\nResults: " << run.output
            << "\n  /segments/{customer_id,segment,distance,clv,p_alive,...}  one row per customer"
            << "\n  /model/{centroids_original,feature_names,segment_names,...}  the fitted model"
            << "\nReport:  " << stem << ".report.html (open in a browser), " << stem << ".report.json, " << stem
            << ".csv\nRead them in Python: h5py.File('" << run.output << "')['segments/segment'][:]\n";
}

}  // namespace

Command add_demo_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<DemoOptions>();
  o->run.run.kmeans.k = 5;
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Generate a small synthetic retailer (order lines of 50,000 customers), segment its customers from their "
      "transactions (RFM features, CLV, names), and show the segments and where the results and report are");
  cmd->add_option("--dir", o->directory, "Folder for the demo's files (default: a new temporary folder)");
  cmd->add_option("--customers", o->customers, "Customers of the synthetic retailer")->capture_default_str()->check(at_least(1));
  add_kmeans_options(*cmd, o->run);
  add_output_style_options(*cmd, o->run.quiet, o->run.json);
  return {cmd, [o, cmd, &comm] {
    o->run.run.effective_config = cmd->config_to_str(/*default_also=*/true, /*write_description=*/false);
    run_demo(*o, comm);
  }};
}

}  // namespace kseg
