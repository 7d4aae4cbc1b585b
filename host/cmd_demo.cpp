#include <iomanip>
#include <iostream>
#include <memory>

#include "host/cli_checks.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "pipeline/demo_job.hpp"
#include "pipeline/write_stage.hpp"

namespace kseg {
namespace {

struct DemoOptions {
  DemoParams demo;
  RunCommandOptions run;  ///< the k-means, device and output-style options
};

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
  o.demo.run = run_params(o.run);
  const DemoOutcome demo = demo_job(o.demo, o.run.quiet, comm, log);
  if (!comm.is_root()) return;
  if (o.run.json) {
    std::cout << to_json(demo.summary).str() << std::endl;
    return;
  }
  const std::string stem = result_stem(demo.result);
  print_segment_table(demo.summary);
  std::cout << "\nInput:   " << demo.transactions << " (a synthetic retailer's order lines, as of " << demo.as_of << ")"
            << "\nResults: " << demo.result
            << "\n  /segments/{customer_id,segment,distance,clv,p_alive,...}  one row per customer"
            << "\n  /model/{centroids_original,feature_names,segment_names,...}  the fitted model"
            << "\nReport:  " << stem << ".report.html (open in a browser), " << stem << ".report.json, " << stem
            << ".csv\nRead them in Python: h5py.File('" << demo.result << "')['segments/segment'][:]\n";
}

}  // namespace

Command add_demo_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<DemoOptions>();
  o->run.run.kmeans.k = 5;
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Generate a small synthetic retailer (order lines of 50,000 customers), segment its customers from their "
      "transactions (RFM features, CLV, names), and show the segments and where the results and report are");
  cmd->add_option("--dir", o->demo.directory, "Folder for the demo's files (default: a new temporary folder)");
  cmd->add_option("--customers", o->demo.customers, "Customers of the synthetic retailer")->capture_default_str()->check(at_least(1));
  add_kmeans_options(*cmd, o->run);
  add_output_style_options(*cmd, o->run.quiet, o->run.json);
  return {cmd, [o, cmd, &comm] {
    o->run.run.effective_config = cmd->config_to_str(/*default_also=*/true, /*write_description=*/false);
    run_demo(*o, comm);
  }};
}

}  // namespace kseg
