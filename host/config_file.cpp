#include "host/config_file.hpp"

#include <fstream>

#include "common/errors.hpp"

namespace kseg {
namespace {

// The first line whose string is not closed (0: none). CLI11's reader takes `a = "x` as the
// value "x; a marketer's typo must not silently become a feature name.
int unterminated_string_line(const std::string& path) {
  std::ifstream in(path);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    char open = 0;  // the quote of the string we are in
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (!open && c == '#') break;
      if (open == '"' && c == '\\') ++i;  // an escape inside a basic string
      else if (!open && (c == '"' || c == '\'')) open = c;
      else if (c == open) open = 0;
    }
    if (open) return number;
  }
  return 0;
}

}  // namespace

void apply_config_file(CLI::App& command, const std::string& path) {
  if (path.empty()) return;
  auto refuse = [&](const std::string& what) { throw InputError(path + ": " + what, ErrorScope::all_ranks); };
  if (const int line = unterminated_string_line(path))
    refuse("line " + std::to_string(line) + ": a string is not closed (a missing quote)");
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    refuse(std::string("cannot read as TOML: ") + e.what());
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    const std::string name = item.fullname();
    CLI::Option* option = command.get_option_no_throw("--" + name);
    if (option == nullptr || name == "config")
      refuse("'" + name + "' is not an option of kseg " + command.get_name());
    if (option->count() > 0) continue;  // the command line wins
    try {
      option->add_result(item.inputs);
      option->run_callback();
    } catch (const CLI::Error& e) {
      refuse("'" + name + "': " + e.what());
    }
  }
}

}  // namespace kseg
