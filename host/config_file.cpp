#include "host/config_file.hpp"

#include "common/errors.hpp"

namespace kseg {

void apply_config_file(CLI::App& command, const std::string& path) {
  if (path.empty()) return;
  auto refuse = [&](const std::string& what) { throw InputError(path + ": " + what, ErrorScope::all_ranks); };
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
