// SPDX-License-Identifier: MIT
#include "hal/gpio/line_spec.hpp"

#include <cctype>
#include <charconv>

namespace essd::hal {
namespace {

std::optional<unsigned> parse_offset(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

}  // namespace

std::optional<LineSpec> parse_line_spec(std::string_view text, std::string& error) {
  LineSpec spec;
  const std::string original(text);
  if (!text.empty() && text.front() == '!') {
    spec.active_low = true;
    text.remove_prefix(1);
  }
  if (text.empty()) {
    error = "empty GPIO line \"" + original + "\"";
    return std::nullopt;
  }
  if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    const std::string_view chip = text.substr(0, colon);
    const std::string_view off = text.substr(colon + 1);
    const auto offset = parse_offset(off);
    if (chip.empty() || !offset) {
      error = "GPIO line \"" + original + "\": expected CHIP:OFFSET, e.g. gpiochip0:17";
      return std::nullopt;
    }
    spec.chip = std::string(chip);
    spec.offset = offset;
    return spec;
  }
  if (all_digits(text)) {
    const auto offset = parse_offset(text);
    if (!offset) {
      error = "GPIO line \"" + original + "\": offset out of range";
      return std::nullopt;
    }
    spec.chip = "gpiochip0";
    spec.offset = offset;
    return spec;
  }
  spec.name = std::string(text);
  return spec;
}

std::string to_string(const LineSpec& s) {
  std::string out = s.active_low ? "!" : "";
  if (s.offset) return out + s.chip + ":" + std::to_string(*s.offset);
  return out + s.name;
}

}  // namespace essd::hal
