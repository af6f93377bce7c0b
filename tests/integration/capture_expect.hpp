// SPDX-License-Identifier: MIT
#pragma once
// The expected outcome of replaying a golden capture (tests/data/captures/
// NAME.expect, docs/operations.md "Expectation files"): the essd settings the
// capture needs, and the ordered controller events with time windows.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace essd::itest {

struct ExpectedEvent {
  double earliest_s = 0, latest_s = 0;  // after the bus link came up
  std::string key;                      // "path_close charge", "module_lost module 2", ...
};

struct CaptureExpect {
  std::vector<std::string> header;  // comment lines, kept on rewrite
  std::vector<std::string> config;  // "limits.auto_shutdown_s = 10"
  bool heatsink = false;            // replay with a heatsink sensor file
  std::vector<ExpectedEvent> events;
};

struct ObservedEvent {
  double at_s = 0;
  std::string key;
};

/// Parses NAME.expect; nullopt and `error` ("LINE: why") on a bad line.
std::optional<CaptureExpect> parse_expect(const std::string& text, std::string& error);
std::string format_expect(const CaptureExpect& e);

/// The controller events a capture is judged by, from the API's `events`
/// list: their keys and times relative to the first "bus_link" up event.
std::vector<ObservedEvent> observed_events(const std::vector<nlohmann::json>& events,
                                           double until_s);
/// The [SECTION] TOML text for "section.key = value" lines.
std::string config_toml(const std::vector<std::string>& config);
/// "" when `seen` matches `want` (same keys, same order, each in its window),
/// else a description of the first difference.
std::string compare(const std::vector<ExpectedEvent>& want, const std::vector<ObservedEvent>& seen);
/// Windows for a fresh expectation: -slack_s .. +slack_s around each time.
std::vector<ExpectedEvent> windows_around(const std::vector<ObservedEvent>& seen, double slack_s);

}  // namespace essd::itest
