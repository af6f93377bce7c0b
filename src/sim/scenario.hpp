// SPDX-License-Identifier: MIT
#pragma once
// Scenario files (TOML): timed fault-injection and operating steps in the
// control-channel language, checked completely at load time.
//
//   name = "comm-loss"
//   description = "module 2 drops out for 5 s"
//   [[step]]
//   at = 10.0          # seconds of simulated time since start
//   do = "drop 2"
//
// Steps run in file order once their time has come (several may share a time).
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/command.hpp"

namespace essd::sim {

struct ScenarioStep {
  double at_s = 0;
  Command command;
  std::string text;  // the line as written, for logs
  int line = 0;      // in the file, for messages
};

/// Module-to-module differences of a real rack (scenario table [variety]),
/// seeded like the rest. Off unless the scenario has the table, so the
/// default modules stay as they were.
struct Variety {
  bool enabled = false;
  double capacity_pct = 0;     // module capacity factor spread, max - min (percent)
  double soc_pct = 0;          // initial RSOC spread, max - min (percent)
  double rack_temp_c = 0;      // ambient rise from the bottom module (index 0) to the top
  double cell_spread = 1;      // multiplies the per-block SOC spread (1 = the default +-0.5 %)
  int drift_module = -1;       // index of the module that self-discharges, -1 none
  double drift_pct_per_h = 0;  // its self-discharge (percent of capacity per hour)
};

struct Scenario {
  std::string name;
  std::string description;
  Variety variety;
  std::vector<ScenarioStep> steps;  // sorted by at_s, stable
};

/// Thrown with "ORIGIN:LINE: reason".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Pure: parses TOML text; `origin` names it in error messages.
Scenario parse_scenario(std::string_view toml_text, std::string_view origin);
/// Reads and parses a file (the one I/O helper of the library; the
/// Simulator itself never touches files).
Scenario load_scenario_file(const std::string& path);

}  // namespace essd::sim
