#include <iostream>
#include <memory>

#include "common/errors.hpp"
#include "host/cli_checks.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "host/config_file.hpp"

namespace kseg {

Command add_run_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<RunCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Segment customers: each MPI rank reads its block of /features/matrix, k-means runs on all ranks "
      "together, and every customer's segment plus the model are written to --out (HDF5).");
  cmd->add_option("--input", o->run.input,
                  "Features file (HDF5 with /features/matrix and /features/customer_id), or a transactions file "
                  "(HDF5 with /transactions; then --as-of is needed and features are computed first)")
      ->required();
  cmd->add_option("--out", o->run.output, "Result file; written as <out>.partial and renamed when complete")->required();
  cmd->add_flag("--force", o->run.force, "Replace --out if it exists (otherwise kseg refuses)");
  add_model_input_options(*cmd, o->run.model);
  add_kmeans_options(*cmd, *o);
  add_checkpoint_options(*cmd, o->run.checkpoint);
  add_previous_options(*cmd, o->run.previous);
  cmd->add_option("--select-k", o->select_k,
                  "LOW..HIGH: first fit every k of the range and score it (as kseg select-k); without --k the "
                  "recommended k is used; the report shows the curves");
  cmd->add_option("--select-k-sample", o->run.select_k_sample, "Customers in --select-k's silhouette sample")
      ->capture_default_str()->check(at_least(2));
  cmd->add_option("--segment-name", o->run.segment_names,
                  "I=NAME: call segment I NAME instead of its RFM name (repeatable; in --config: segment-name = [\"2=VIP\"])");
  cmd->add_option("--stability", o->run.stability_resamples,
                  "B: refit on B random 80% subsets of the customers and report each segment's mean Jaccard with "
                  "its best match (>= 0.85 highly stable, 0.6-0.75 doubtful, <= 0.5 dissolved); costs B fits (default 0: off)")
      ->capture_default_str()->check(at_least(0));
  cmd->add_option("--currency", o->run.currency, "Currency code shown on money in the reports, e.g. EUR");
  cmd->add_option("--clv-model", o->clv_model,
                  "Transactions input: the repeat-purchase model behind CLV, P(alive) and churn risk: bgnbd (BG/NBD, "
                  "Fader, Hardie & Lee 2005), mbgnbd (MBG/NBD, Batislam et al. 2007), pareto-nbd (Pareto/NBD, "
                  "Schmittlein et al. 1987), or auto (fit all three; the best holdout fit wins where the log goes on "
                  "past --as-of, else the highest likelihood)")
      ->capture_default_str()->check(CLI::IsMember({"auto", "bgnbd", "mbgnbd", "pareto-nbd"}));
  cmd->add_option("--segments-from", o->segments_from,
                  "Where the segments come from: kmeans (clusters of the features), or rfm: every customer's RFM "
                  "class (Champions, Loyal, …, Lost by the rule table on per-customer 1-5 scores) is their segment, "
                  "with its code as the segment id; profiles, CLV, reports and --previous (an RFM result) work alike")
      ->capture_default_str()->check(CLI::IsMember({"kmeans", "rfm"}));
  add_output_style_options(*cmd, o->quiet, o->json);
  cmd->add_option("--config", o->config_file,
                  "TOML file of `option = value` lines, e.g. k = 12 (command-line values win)")
      ->check(CLI::ExistingFile);
  return {cmd, [o, cmd, &comm] {
    apply_config_file(*cmd, o->config_file);
    o->run.effective_config = cmd->config_to_str(/*default_also=*/true, /*write_description=*/false);
    o->run.k_given = cmd->get_option("--k")->count() > 0;
    if (o->segments_from == "rfm")
      for (const char* kmeans_only : {"--k", "--select-k", "--warm-start", "--resume"})
        if (cmd->get_option(kmeans_only)->count() > 0)
          refuse(std::string("--segments-from rfm takes the segments from the RFM rule table; ") + kmeans_only +
                 " is for k-means: drop one of the two");
    const JobSummary summary = run_job(run_params(*o), comm, Logger(comm.is_root() && !o->quiet));
    if (o->json && comm.is_root()) std::cout << to_json(summary).str() << std::endl;
  }};
}

}  // namespace kseg
