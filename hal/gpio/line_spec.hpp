// SPDX-License-Identifier: MIT
#pragma once
// Parses a configured GPIO line (docs/configuration.md [panel]): "gpiochip0:17" (chip
// and offset), "17" (offset on gpiochip0), or a line name "CHG_PATH"; a
// leading '!' means active-low. Pure; no libgpiod here.
#include <optional>
#include <string>
#include <string_view>

namespace essd::hal {

struct LineSpec {
  std::string chip;                // "gpiochip0", "/dev/gpiochip1", label or number; "" with a name
  std::optional<unsigned> offset;  // set unless the line is given by name
  std::string name;                // line name when no offset is given
  bool active_low = false;
  bool operator==(const LineSpec&) const = default;
};

/// nullopt with `error` set for "", "!", "chip:", ":3", "chip:x", "chip:-1".
std::optional<LineSpec> parse_line_spec(std::string_view text, std::string& error);

std::string to_string(const LineSpec& s);

}  // namespace essd::hal
