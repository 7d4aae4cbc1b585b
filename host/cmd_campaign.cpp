#include <iostream>
#include <memory>

#include "common/version.hpp"
#include "host/cli_options.hpp"
#include "host/commands.hpp"
#include "io/json.hpp"
#include "pipeline/campaign_jobs.hpp"

namespace kseg {
namespace {

struct CampaignCommandOptions {
  PlanCampaignParams plan;
  MeasureCampaignParams measure;
  bool quiet = false, json = false;
};

void run_plan(const CampaignCommandOptions& o, const Communicator& comm) {
  const PlanCampaignSummary s = plan_campaign_job(o.plan, comm, Logger(comm.is_root() && !o.quiet));
  if (!o.json || !comm.is_root()) return;
  JsonObject out;
  out.add("campaign", o.plan.name).add("result", o.plan.result).add("output", o.plan.output)
      .add("customers", s.customers).add("control", s.control).add("elapsed_s", s.seconds).add("version", kVersion);
  std::cout << out.str() << std::endl;
}

void run_measure(const CampaignCommandOptions& o, const Communicator& comm) {
  const CampaignReport r = measure_campaign_job(o.measure, comm, Logger(comm.is_root() && !o.quiet));
  if (!o.json || !comm.is_root()) return;
  const CampaignLift& all = r.total.lift;
  JsonObject out;
  out.add("campaign", r.name).add("output", o.measure.output).add("conversion_lift", all.conversion_lift)
      .add("conversion_lift_low", all.conversion_lift_low).add("conversion_lift_high", all.conversion_lift_high)
      .add("conversion_p_value", all.conversion_p_value).add("incremental_revenue", all.incremental_revenue)
      .add("warnings", r.warnings).add("version", kVersion);
  std::cout << out.str() << std::endl;
}

CLI::App* add_plan_subcommand(CLI::App& campaign, CampaignCommandOptions& o) {
  CLI::App* cmd = campaign.add_subcommand(
      "plan",
      "Hold out a control group: in every segment of a result, round(share x customers) customers are kept out "
      "of the campaign. Who is held out depends only on the campaign's name and each customer's id (a Philox draw "
      "keyed by both; the smallest draws go to control), so rerunning the same command, on any number of ranks, "
      "gives the same group, and another campaign name gives an independent one. Writes PLAN.h5 (/plan/customer_id, "
      "segment, group: 0 treated, 1 control) and PLAN.csv (customer_id,segment,group with treated/control) for the "
      "marketing tool. Example: kseg campaign plan --result q3.h5 --name winback-2024-10 --control-share 0.1 "
      "--out winback.h5");
  cmd->add_option("--result", o.plan.result, "A result file of kseg run or kseg assign (its /segments)")->required();
  cmd->add_option("--name", o.plan.name, "The campaign's name; the same name gives the same control group")->required();
  cmd->add_option("--control-share", o.plan.control_share,
                  "Share of each segment held out as control, between 0 and 1 (0.1: one customer in ten)")
      ->capture_default_str();
  cmd->add_option("--out", o.plan.output, "Plan file (HDF5); the CSV goes next to it (.h5 replaced by .csv)")->required();
  cmd->add_flag("--force", o.plan.force, "Replace --out and its CSV if they exist");
  return cmd;
}

CLI::App* add_measure_subcommand(CLI::App& campaign, CampaignCommandOptions& o) {
  CLI::App* cmd = campaign.add_subcommand(
      "measure",
      "Measure a campaign: what the treated and the control customers of a plan bought from --from to --to. Per "
      "segment and in total: conversion (bought at least once), revenue and orders per customer; the conversion "
      "lift (treated - control) with its 95% interval and the two-proportion z-test; the revenue difference per "
      "customer with its 95% interval and Welch's t-test; relative lift and incremental revenue (difference x "
      "treated customers); a warning wherever a group is too small to tell. Writes M.h5 (/campaign/<figure>, a "
      "row per segment and a total row), M.json, M.csv and M.html. Example: kseg campaign measure --plan "
      "winback.h5 --transactions q4.h5 --from 2024-10-01 --to 2024-12-31 --out winback-result.h5");
  cmd->add_option("--plan", o.measure.plan, "A plan of kseg campaign plan")->required();
  cmd->add_option("--transactions", o.measure.transactions,
                  "Transactions file (HDF5 /transactions, as kseg import or kseg generate --transactions write)")
      ->required();
  cmd->add_option("--from", o.measure.from, "First day of the window, YYYY-MM-DD (UTC), included")->required();
  cmd->add_option("--to", o.measure.to, "Last day of the window, YYYY-MM-DD (UTC), included")->required();
  cmd->add_option("--out", o.measure.output, "Measurement file (HDF5); .json, .csv and .html go next to it")->required();
  cmd->add_flag("--force", o.measure.force, "Replace the outputs if they exist");
  return cmd;
}

}  // namespace

Command add_campaign_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<CampaignCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "campaign",
      "Campaigns, measured: `campaign plan` holds out a control group in every segment, `campaign measure` "
      "compares what treated and control customers bought afterwards (lift, confidence intervals, p-values).");
  cmd->require_subcommand(1);
  CLI::App* plan = add_plan_subcommand(*cmd, *o);
  CLI::App* measure = add_measure_subcommand(*cmd, *o);
  for (CLI::App* sub : {plan, measure}) add_output_style_options(*sub, o->quiet, o->json);
  return {cmd, [o, plan, measure, &comm] {
            if (plan->parsed()) run_plan(*o, comm);
            if (measure->parsed()) run_measure(*o, comm);
          }};
}

}  // namespace kseg
