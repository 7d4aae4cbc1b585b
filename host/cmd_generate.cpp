#include <memory>

#include "host/cli_checks.hpp"
#include "host/commands.hpp"
#include "synth/generate_files.hpp"
#include "synth/synthetic_retailer.hpp"

namespace kseg {

Command add_generate_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write a synthetic customer feature matrix with known segments (Gaussian blobs of unequal sizes and "
      "spreads) for tests, benchmarks and trying kseg out; with --transactions, a synthetic retailer's "
      "transactions and the persona of each customer. All ranks write in parallel.");
  cmd->add_option("--customers", o->customers, "Number of customers (rows)")->capture_default_str()->check(at_least(1));
  cmd->add_option("--features", o->features, "Features per customer (columns)")->capture_default_str()->check(CLI::Range(1, 4096));
  cmd->add_option("--segments", o->segments, "True segments (blobs)")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", o->seed, "Seed; the same seed gives the same file")->capture_default_str()->check(seed_range());
  cmd->add_option("--separation", o->separation, "Minimum distance between blob centres, in blob spreads (smaller: more overlap)")
      ->capture_default_str()->check(at_least(0));
  cmd->add_option("--feature-names", o->feature_names, "Comma-separated feature names (default f0,f1,...)")->delimiter(',');
  CLI::Option* transactions = cmd->add_flag(
      "--transactions", o->transactions,
      "Write a synthetic retailer's transactions (order lines, returns, categories, channels, discounts) and each "
      "customer's persona in /customers, instead of a feature matrix");
  for (const char* features_only : {"--features", "--segments", "--separation", "--feature-names"})
    transactions->excludes(features_only);
  cmd->add_option("--start", o->start, "With --transactions: first day, YYYY-MM-DD (UTC)")->capture_default_str()->needs(transactions);
  cmd->add_option("--end", o->end, "With --transactions: last day, YYYY-MM-DD (UTC), included; at least a year after --start")
      ->capture_default_str()->needs(transactions);
  cmd->add_option("--categories", o->categories, "With --transactions: product categories")
      ->capture_default_str()->check(CLI::Range(1, kMaxCategories))->needs(transactions);
  cmd->add_option("--channels", o->channels, "With --transactions: sales channels, the first of web, store, app, phone, marketplace")
      ->capture_default_str()->check(CLI::Range(1, kMaxChannels))->needs(transactions);
  cmd->add_flag("--events", o->events,
                "With --transactions: also /events, each customer's sessions, product views, carts, checkouts and "
                "emails (sent, opened, clicked) by persona: bargain hunters browse most and abandon carts, loyal "
                "customers open emails, lapsed ones stopped visiting")
      ->needs(transactions);
  CLI::Option* uplift_plan = cmd->add_option(
      "--uplift-plan", o->uplift_plan,
      "With --transactions: a campaign plan (kseg campaign plan) whose treated customers of --uplift-segment the "
      "campaign reached: from --uplift-from on, each gets one extra order with chance --uplift; control customers "
      "and other segments are generated exactly as without these options, so the true conversion lift over a "
      "window from --uplift-from to --end is --uplift x (1 - the control's conversion)")
      ->needs(transactions);
  CLI::Option* uplift_segment =
      cmd->add_option("--uplift-segment", o->uplift_segment, "With --uplift-plan: the segment the campaign works on");
  CLI::Option* uplift_from =
      cmd->add_option("--uplift-from", o->uplift_from, "With --uplift-plan: the campaign's first day, YYYY-MM-DD (UTC)");
  CLI::Option* uplift = cmd->add_option("--uplift", o->uplift, "With --uplift-plan: the chance of the extra order, in (0, 1]");
  for (CLI::Option* part : {uplift_segment, uplift_from, uplift}) {
    uplift_plan->needs(part);
    part->needs(uplift_plan);
  }
  cmd->add_option("--out", o->output, "Output HDF5 file")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress lines");
  return {cmd, [o, &comm] {
            const Logger log(comm.is_root() && !o->quiet);
            if (o->transactions)
              generate_transactions_file(*o, comm, log);
            else
              generate_features_file(*o, comm, log);
          }};
}

}  // namespace kseg
