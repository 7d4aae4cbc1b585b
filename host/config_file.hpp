#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace kseg {

/// Applies a TOML file of `option = value` lines (names as on the command line, without the
/// dashes) to a subcommand: values given on the command line win. CLI11 2.1 reads config files
/// for the main app only, hence this. Throws InputError naming the file and the bad key.
void apply_config_file(CLI::App& command, const std::string& path);

}  // namespace kseg
