// SPDX-License-Identifier: MIT
#include "daemon/command_line.hpp"

#include <CLI/CLI.hpp>
#include <vector>

namespace essd::daemon {

std::optional<CommandLine> parse_command_line(int argc, char** argv, int& exit_code) {
  CommandLine cl;
  CLI::App app{"essd: controller daemon for Sony IJ1001/IJ4001 energy-storage systems"};
  auto* config = app.add_option("--config", cl.config_path, "configuration file")
                     ->default_str(kDefaultConfigPath);
  std::vector<int> sim;
  auto* sim_opt = app.add_option("--sim", sim, "run against N simulated modules (default 4)")
                      ->expected(0, 1)
                      ->check(CLI::Range(1, 16));
  app.add_option("--record", cl.record_path,
                 "record the module bus to FILE in candump's log format");
  app.add_flag("--check-config", cl.check_config, "validate the configuration and exit");
  app.add_flag("--print-default-config", cl.print_default_config,
               "print a complete, commented configuration file");
  app.add_flag("--version", cl.version, "print the version");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    exit_code = app.exit(e);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    exit_code = kExitUsage;
    return std::nullopt;
  }
  cl.config_named = config->count() > 0;
  // A bare --sim leaves either no value or CLI11's empty-value 0 (an explicit
  // 0 is refused by the range check above): both mean the default.
  if (sim_opt->count() > 0) {
    cl.sim_modules = sim.empty() || sim.front() == 0 ? kDefaultSimModules : sim.front();
  }
  exit_code = kExitOk;
  return cl;
}

}  // namespace essd::daemon
