// SPDX-License-Identifier: MIT
#pragma once
// The declared key table: one row per configuration key with its type,
// bounds, validator, accessors and the comment printed in the default file.
// The parser, the default file generator and the tests all walk this table,
// so a key cannot be parsed but missing from the default file or vice versa.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "essd/config.hpp"

namespace essd::config::detail {

enum class Kind { integer, number, boolean, string };

/// Returns "" when the value is acceptable, else the reason.
using StrCheck = std::string (*)(std::string_view);
using IntCheck = std::string (*)(std::int64_t);

struct KeyDef {
  std::string_view section;  // "system", "host.can", ...
  std::string_view name;
  Kind kind = Kind::string;
  double lo = 0, hi = 0;  // inclusive bounds for integer and number keys
  std::int64_t (*get_int)(const Config&) = nullptr;
  void (*set_int)(Config&, std::int64_t) = nullptr;
  double (*get_num)(const Config&) = nullptr;
  void (*set_num)(Config&, double) = nullptr;
  bool (*get_bool)(const Config&) = nullptr;
  void (*set_bool)(Config&, bool) = nullptr;
  std::string (*get_str)(const Config&) = nullptr;
  void (*set_str)(Config&, std::string_view) = nullptr;
  StrCheck check_str = nullptr;  // extra validation of string values
  IntCheck check_int = nullptr;  // extra validation of integer values
  bool hex = false;              // print the default in hexadecimal
  std::string_view comment;

  std::string full_name() const { return std::string(section) + "." + std::string(name); }
};

struct SectionDef {
  std::string_view name;
  std::string_view comment;  // printed above the section in the default file
};

const std::vector<SectionDef>& sections();
const std::vector<KeyDef>& key_table();
const KeyDef* find_key(std::string_view section, std::string_view name);
bool is_section(std::string_view name);

}  // namespace essd::config::detail
