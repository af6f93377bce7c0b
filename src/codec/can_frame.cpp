// SPDX-License-Identifier: MIT
#include "essd/can_frame.hpp"

#include <cstdio>

namespace essd {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string format_frame(const CanFrame& frame) {
  char buf[40];
  int n = frame.extended ? std::snprintf(buf, sizeof buf, "%08X#", frame.id & 0x1FFFFFFFu)
                         : std::snprintf(buf, sizeof buf, "%03X#", frame.id & 0x7FFu);
  std::string out(buf, static_cast<std::size_t>(n));
  if (frame.remote) {
    out += 'R';
    if (frame.len != 0) out += static_cast<char>('0' + (frame.len & 0x0F));
    return out;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::uint8_t i = 0; i < frame.len && i < 8; ++i) {
    out += kHex[frame.data[i] >> 4];
    out += kHex[frame.data[i] & 0x0F];
  }
  return out;
}

std::optional<CanFrame> parse_frame(std::string_view text) {
  const auto hash = text.find('#');
  if (hash == std::string_view::npos) return std::nullopt;
  const auto id_text = text.substr(0, hash);
  auto rest = text.substr(hash + 1);
  CanFrame f;
  if (id_text.size() == 3) {
    f.extended = false;
  } else if (id_text.size() == 8) {
    f.extended = true;
  } else {
    return std::nullopt;
  }
  std::uint32_t id = 0;
  for (char c : id_text) {
    const int v = hex_value(c);
    if (v < 0) return std::nullopt;
    id = (id << 4) | static_cast<std::uint32_t>(v);
  }
  if (!f.extended && id > 0x7FF) return std::nullopt;
  if (f.extended && id > 0x1FFFFFFF) return std::nullopt;
  f.id = id;
  if (!rest.empty() && (rest[0] == 'R' || rest[0] == 'r')) {
    f.remote = true;
    if (rest.size() == 1) return f;
    if (rest.size() != 2) return std::nullopt;
    const int len = hex_value(rest[1]);
    if (len < 0 || len > 8) return std::nullopt;
    f.len = static_cast<std::uint8_t>(len);
    return f;
  }
  // can-utils allows '.' separators between bytes: 103#C8.14.10
  std::size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] == '.') {
      ++i;
      continue;
    }
    if (i + 1 >= rest.size() || f.len == 8) return std::nullopt;
    const int hi = hex_value(rest[i]);
    const int lo = hex_value(rest[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    f.data[f.len++] = static_cast<std::uint8_t>((hi << 4) | lo);
    i += 2;
  }
  return f;
}

}  // namespace essd
