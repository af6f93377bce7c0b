// SPDX-License-Identifier: MIT
#pragma once
// essd's command line, exactly as docs/configuration.md "Command line" fixes it.
#include <optional>
#include <string>

namespace essd::daemon {

inline constexpr const char* kDefaultConfigPath = "/etc/essd/essd.toml";
inline constexpr int kDefaultSimModules = 4;

struct CommandLine {
  std::string config_path = kDefaultConfigPath;
  bool config_named = false;       // --config given: a missing file is an error
  std::optional<int> sim_modules;  // --sim [N]
  std::string record_path;         // --record FILE (overrides bus.record)
  bool check_config = false;
  bool print_default_config = false;
  bool version = false;
};

/// Exit codes (docs/configuration.md "Command line").
enum Exit : int { kExitOk = 0, kExitRuntime = 1, kExitUsage = 2 };

/// Parses argv. Returns nullopt after printing help (exit_code 0) or a usage
/// error (exit_code 2).
std::optional<CommandLine> parse_command_line(int argc, char** argv, int& exit_code);

}  // namespace essd::daemon
