// SPDX-License-Identifier: MIT
#pragma once
// Helpers for the config tests: parse with a fixed group database.
#include <string>

#include "config/config.hpp"

namespace essd::config::test {

inline ParseOptions groups_exist() {
  return ParseOptions{[](const std::string&) { return true; }};
}

inline LoadResult parse_ok_groups(const std::string& text) {
  return parse(text, "t.toml", groups_exist());
}

inline std::string all_errors(const LoadResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.format() + "\n";
  return s;
}

}  // namespace essd::config::test
