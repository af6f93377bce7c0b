// SPDX-License-Identifier: MIT
// String and integer validators used by the key table.
#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "config/config.hpp"
#include "config/key_table.hpp"
#include "config/validators.hpp"

namespace essd::config::detail {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool valid_offset(std::string_view s) {
  unsigned v = 0;
  if (!all_digits(s) || s.size() > 4) return false;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v < 1024;
}
bool valid_line_name(std::string_view s) {
  return !s.empty() && s.size() <= 31 && std::all_of(s.begin(), s.end(), is_name_char) &&
         !all_digits(s);
}
bool valid_chip(std::string_view s) {
  // "gpiochip0", "/dev/gpiochip0", or a chip label such as "pinctrl-rp1".
  return !s.empty() && s.size() <= 63 &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_name_char(c) || c == '/'; });
}
std::string one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (auto a : allowed) {
    if (v == a) return "";
    list += (list.empty() ? "" : " | ") + std::string(a);
  }
  return "\"" + std::string(v) + "\" is not one of " + list;
}

}  // namespace

std::string check_abs_path(std::string_view v) {
  if (v.empty() || v.front() != '/') return "must be an absolute path";
  if (v.size() > 4095) return "path too long";
  if (v.find('\0') != std::string_view::npos || v.find('\n') != std::string_view::npos)
    return "path contains a control character";
  return "";
}
std::string check_abs_path_or_empty(std::string_view v) {
  return v.empty() ? "" : check_abs_path(v);
}
std::string check_socket_path(std::string_view v) {
  auto r = check_abs_path(v);
  if (!r.empty()) return r;
  if (v.size() > 107) return "socket path longer than 107 bytes (sun_path limit)";
  return "";
}
std::string check_ifname(std::string_view v) {
  if (v.empty() || v.size() > 15) return "interface name must have 1-15 characters";
  if (v == "." || v == ".." || !std::all_of(v.begin(), v.end(), is_name_char))
    return "invalid interface name \"" + std::string(v) + "\"";
  return "";
}
std::string check_group_name(std::string_view v) {
  if (v.empty() || v.size() > 32 || v.front() == '-' ||
      !std::all_of(v.begin(), v.end(), is_name_char))
    return "invalid group name \"" + std::string(v) + "\"";
  return "";
}
std::string check_gpio(std::string_view v) {
  if (valid_gpio_spec(v)) return "";
  return "invalid GPIO line \"" + std::string(v) +
         "\" (use \"chip:offset\", \"offset\" or a line name, '!' prefix = active-low)";
}
std::string check_transport(std::string_view v) {
  return one_of(v, {"socketcan", "slcan"});
}
std::string check_lcd(std::string_view v) {
  return one_of(v, {"none", "terminal", "hd44780-i2c"});
}
std::string check_parity(std::string_view v) {
  return one_of(v, {"none", "even", "odd"});
}
std::string check_model(std::string_view v) {
  return model_from_string(v) ? "" : one_of(v, {"IJ1001C", "IJ1002C", "IJ4001C"});
}
std::string check_topology(std::string_view v) {
  return topology_from_string(v) ? "" : one_of(v, {"parallel", "series", "series-parallel"});
}
std::string check_ascii(std::string_view v, std::size_t min, std::size_t max) {
  if (v.size() < min || v.size() > max)
    return "must have " + std::to_string(min) + "-" + std::to_string(max) + " characters";
  for (char c : v)
    if (c < 0x20 || c > 0x7e) return "must be printable ASCII";
  return "";
}
std::string check_name8(std::string_view v) {
  return check_ascii(v, 1, 8);
}
std::string check_text32(std::string_view v) {
  return check_ascii(v, 1, 32);
}
std::string check_text32_or_empty(std::string_view v) {
  return check_ascii(v, 0, 32);
}

std::string check_tty_baud(std::int64_t v) {
  static constexpr std::array<std::int64_t, 21> kRates = {
      1200,   2400,   4800,    9600,    19200,   38400,   57600,   115200,  230400,  460800, 500000,
      576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000};
  if (std::find(kRates.begin(), kRates.end(), v) != kRates.end()) return "";
  return std::to_string(v) + " is not a standard serial speed";
}
std::string check_can_bitrate(std::int64_t v) {
  static constexpr std::array<std::int64_t, 10> kRates = {0,      10000,  20000,  50000,  100000,
                                                          125000, 250000, 500000, 800000, 1000000};
  if (std::find(kRates.begin(), kRates.end(), v) != kRates.end()) return "";
  return std::to_string(v) + " is not a standard CAN bitrate (0 = leave as is)";
}

}  // namespace essd::config::detail

namespace essd::config {

bool valid_gpio_spec(std::string_view s) {
  if (s.empty()) return true;  // not used
  if (s.front() == '!') s.remove_prefix(1);
  if (s.empty()) return false;
  auto colon = s.rfind(':');
  if (colon != std::string_view::npos)
    return detail::valid_chip(s.substr(0, colon)) && detail::valid_offset(s.substr(colon + 1));
  return detail::valid_offset(s) || detail::valid_line_name(s);
}

}  // namespace essd::config
