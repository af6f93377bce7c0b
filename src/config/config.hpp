// SPDX-License-Identifier: MIT
#pragma once
// Loading and validating the configuration file (docs/configuration.md).
//
// The file is parsed with toml++ and checked against one declared key table
// (key_table.hpp): every key of docs/configuration.md plus our additions. Unknown keys and
// sections, wrong types, out-of-range values and invalid combinations are all
// reported, each with its line; any error rejects the whole file (a typo must
// never silently leave a safety limit at its default).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essd/config.hpp"

namespace essd::config {

struct Problem {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem has no single line
  std::string reason;
  /// "FILE:LINE: reason" (the form `essd --check-config` prints).
  std::string format() const;
};

struct LoadResult {
  std::optional<Config> config;  // set only when `errors` is empty
  std::vector<Problem> errors;
  std::vector<std::string> warnings;  // "FILE:LINE: reason" as well
  bool ok() const { return config.has_value(); }
};

struct ParseOptions {
  /// Does this group exist? Default: getgrnam_r. Tests inject their own.
  std::function<bool(const std::string&)> group_exists;
};

/// Parse configuration text; `source_name` is used in every Problem.
LoadResult parse(std::string_view text, const std::string& source_name);
LoadResult parse(std::string_view text, const std::string& source_name, const ParseOptions& opts);

/// Read and parse a file. A missing or unreadable file is an error (the caller
/// decides whether a missing *default* file means built-in defaults).
LoadResult load_file(const std::string& path);
LoadResult load_file(const std::string& path, const ParseOptions& opts);

/// A complete, commented configuration file; parses back to Config{}.
/// config/essd.toml in the source tree is exactly this text.
std::string default_config_text();

/// True if `spec` is a valid GPIO line spec: "", "[!]chip:offset",
/// "[!]offset" or "[!]line-name".
bool valid_gpio_spec(std::string_view spec);

}  // namespace essd::config
