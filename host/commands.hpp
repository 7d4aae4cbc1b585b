#pragma once

#include <CLI/CLI.hpp>

#include "common/communicator.hpp"

namespace kseg {

// One subcommand per file: each registers its options and a callback that runs it.
void add_generate_command(CLI::App& app, const Communicator& comm);
void add_run_command(CLI::App& app, const Communicator& comm);
void add_demo_command(CLI::App& app, const Communicator& comm);
void add_bench_command(CLI::App& app, const Communicator& comm);

}  // namespace kseg
