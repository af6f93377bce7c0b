// SPDX-License-Identifier: MIT
#include "essd/candump_log.hpp"

#include <charconv>
#include <cstdio>

namespace essd {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view next_field(std::string_view& s) {
  s = trim(s);
  const auto end = s.find_first_of(" \t");
  auto field = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  return field;
}

/// "(SECONDS.MICROS)" -> microseconds. candump always writes 6 fraction
/// digits; fewer are scaled, more are refused.
std::optional<std::int64_t> parse_stamp(std::string_view t) {
  if (t.size() < 4 || t.front() != '(' || t.back() != ')') return std::nullopt;
  t = t.substr(1, t.size() - 2);
  const auto dot = t.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const auto sec_text = t.substr(0, dot), frac = t.substr(dot + 1);
  if (frac.empty() || frac.size() > 6) return std::nullopt;
  std::int64_t sec = 0, us = 0;
  auto r1 = std::from_chars(sec_text.data(), sec_text.data() + sec_text.size(), sec);
  auto r2 = std::from_chars(frac.data(), frac.data() + frac.size(), us);
  if (r1.ec != std::errc{} || r1.ptr != sec_text.data() + sec_text.size() || r2.ec != std::errc{} ||
      r2.ptr != frac.data() + frac.size() || sec < 0 || sec > 9'000'000'000'000LL) {
    return std::nullopt;
  }
  for (auto n = frac.size(); n < 6; ++n) us *= 10;
  return sec * 1'000'000 + us;
}

std::string stamp(std::int64_t time_us) {
  if (time_us < 0) time_us = 0;
  char buf[40];
  std::snprintf(buf, sizeof buf, "(%010lld.%06lld)", static_cast<long long>(time_us / 1'000'000),
                static_cast<long long>(time_us % 1'000'000));
  return buf;
}

CandumpLine error(std::string why) {
  CandumpLine l;
  l.kind = CandumpLine::Kind::error;
  l.error = std::move(why);
  return l;
}

CandumpLine parse_heatsink(std::string_view rest) {
  auto t = parse_stamp(next_field(rest));
  if (!t) return error("heatsink line without a valid (seconds.micros) time");
  const auto value = next_field(rest);
  CandumpLine l;
  l.kind = CandumpLine::Kind::heatsink;
  l.logged.time_us = *t;
  if (value == "error") return l;
  double c = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), c);
  if (r.ec != std::errc{} || r.ptr != value.data() + value.size() || c < -100 || c > 300) {
    return error("heatsink line with a bad value");
  }
  l.celsius = c;
  return l;
}

}  // namespace

std::string format_candump_line(std::int64_t time_us, std::string_view interface,
                                const CanFrame& frame) {
  std::string out = stamp(time_us);
  out += ' ';
  out += interface;
  out += ' ';
  out += format_frame(frame);
  out += '\n';
  return out;
}

std::string format_heatsink_line(std::int64_t time_us, std::optional<double> celsius) {
  std::string out = "# heatsink " + stamp(time_us) + ' ';
  if (celsius) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", *celsius);
    out += buf;
  } else {
    out += "error";
  }
  out += '\n';
  return out;
}

CandumpLine parse_candump_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() != '(') {
    constexpr std::string_view kHeatsink = "# heatsink ";
    if (line.substr(0, kHeatsink.size()) == kHeatsink) {
      return parse_heatsink(line.substr(kHeatsink.size()));
    }
    return CandumpLine{};
  }
  auto rest = line;
  auto t = parse_stamp(next_field(rest));
  if (!t) return error("bad time stamp (expected (SECONDS.MICROS))");
  auto iface = next_field(rest);
  if (iface.empty() || iface.size() > 15) return error("missing or overlong interface name");
  auto text = next_field(rest);
  if (text.find("##") != std::string_view::npos) return error("CAN FD frame (not a module bus)");
  auto f = parse_frame(text);
  if (!f) return error("bad frame \"" + std::string(text.substr(0, 40)) + "\"");
  CandumpLine l;
  l.kind = CandumpLine::Kind::frame;
  l.logged.time_us = *t;
  l.logged.interface = std::string(iface);
  l.logged.frame = *f;
  return l;
}

}  // namespace essd
