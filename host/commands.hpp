#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "common/communicator.hpp"

namespace kseg {

/// A registered subcommand and what runs it. main runs it after the whole command line and any
/// --config file have been parsed (CLI11 applies config files after subcommand callbacks).
struct Command {
  CLI::App* cli;
  std::function<void()> run;
};

// One subcommand per file: each registers its options and says how to run.
Command add_generate_command(CLI::App& app, const Communicator& comm);
Command add_import_command(CLI::App& app, const Communicator& comm);
Command add_run_command(CLI::App& app, const Communicator& comm);
Command add_features_command(CLI::App& app, const Communicator& comm);
Command add_select_k_command(CLI::App& app, const Communicator& comm);
Command add_demo_command(CLI::App& app, const Communicator& comm);
Command add_bench_command(CLI::App& app, const Communicator& comm);
Command add_assign_command(CLI::App& app, const Communicator& comm);
Command add_campaign_command(CLI::App& app, const Communicator& comm);

}  // namespace kseg
