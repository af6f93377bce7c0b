// SPDX-License-Identifier: MIT
#include "sim/command.hpp"

#include <charconv>
#include <cmath>
#include <vector>

namespace essd::sim {
namespace {

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<double> number(std::string_view s) {
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int> address(std::string_view s) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 15) return std::nullopt;
  return v;
}

ParsedCommand fail(std::string msg) {
  return {std::nullopt, std::move(msg)};
}

ParsedCommand ok(const Command& c) {
  return {c, {}};
}

// A command's words; w[0] is its name.
using Words = std::vector<std::string_view>;

// The one number of "noise S", "silence MS", "ambient C", "heatsink C".
std::optional<double> single_number(const Words& w) {
  return w.size() == 2 ? number(w[1]) : std::nullopt;
}

// The parsers of the verbs' arguments: each gets the words and a command
// with its verb already set.

// drop M, freeze M, garbage M, ov M, overdischarge M, overtemp M,
// duplicate A, gap M.
ParsedCommand parse_module(const Words& w, Command c) {
  const std::string verb(w[0]);
  if (w.size() != 2) return fail(verb + ": expected one module address 0-15");
  const auto m = address(w[1]);
  if (!m) return fail(verb + ": bad module address '" + std::string(w[1]) + "'");
  c.module = *m;
  return ok(c);
}

ParsedCommand parse_restore(const Words& w, Command c) {
  if (w.size() == 2 && w[1] == "all") return ok(c);
  const auto m = w.size() == 2 ? address(w[1]) : std::nullopt;
  if (!m) return fail("restore: expected a module address 0-15 or 'all'");
  c.module = *m;
  return ok(c);
}

ParsedCommand parse_overcurrent(const Words& w, Command c) {
  const auto m = w.size() >= 2 && w.size() <= 3 ? address(w[1]) : std::nullopt;
  if (!m) return fail("overcurrent: expected 'overcurrent M [charge|discharge]'");
  c.module = *m;
  if (w.size() == 3 && w[2] != "charge" && w[2] != "discharge")
    return fail("overcurrent: direction must be 'charge' or 'discharge'");
  c.flag = w.size() == 3 && w[2] == "charge";
  return ok(c);
}

ParsedCommand parse_address(const Words& w, Command c) {
  const auto m = w.size() == 3 ? address(w[1]) : std::nullopt;
  const auto a = w.size() == 3 ? address(w[2]) : std::nullopt;
  if (!m || !a) return fail("address: expected 'address M A' with both 0-15");
  c.module = *m;
  c.target = *a;
  return ok(c);
}

ParsedCommand parse_imbalance(const Words& w, Command c) {
  const auto m = w.size() >= 2 && w.size() <= 3 ? address(w[1]) : std::nullopt;
  if (!m) return fail("imbalance: expected 'imbalance M [mV]'");
  c.module = *m;
  c.value = 350;
  if (w.size() == 3) {
    const auto v = number(w[2]);
    if (!v || *v < 0 || *v > 3000) return fail("imbalance: mV must be 0-3000");
    c.value = *v;
  }
  return ok(c);
}

ParsedCommand parse_noise(const Words& w, Command c) {
  const auto v = single_number(w);
  if (!v) return fail("noise: expected one number");
  if (*v < 0 || *v > 10) return fail("noise: sigma must be 0-10");
  c.value = *v;
  return ok(c);
}

ParsedCommand parse_silence(const Words& w, Command c) {
  const auto v = single_number(w);
  if (!v) return fail("silence: expected one number");
  if (*v < 0 || *v > 3600000) return fail("silence: ms must be 0-3600000");
  c.value = *v;
  return ok(c);
}

ParsedCommand parse_ambient(const Words& w, Command c) {
  const auto v = single_number(w);
  if (!v) return fail("ambient: expected one number");
  if (*v < -40 || *v > 80) return fail("ambient: degC must be -40..80");
  c.value = *v;
  return ok(c);
}

ParsedCommand parse_load(const Words& w, Command c) {
  if (w.size() != 2) return fail("load: expected 'load A', 'load <P>W' or 'load off'");
  if (w[1] == "off") return ok(c);
  std::string_view arg = w[1];
  if (arg.back() == 'W' || arg.back() == 'w') {
    c.flag = true;
    arg.remove_suffix(1);
  }
  const auto v = number(arg);
  if (!v || *v < 0 || *v > (c.flag ? 200000 : 1000))
    return fail("load: amps must be 0-1000, watts 0-200000");
  c.value = *v;
  return ok(c);
}

ParsedCommand parse_charger(const Words& w, Command c) {
  if (w.size() < 2 || w.size() > 3 || (w[1] != "on" && w[1] != "off") ||
      (w[1] == "off" && w.size() == 3))
    return fail("charger: expected 'charger on [A]' or 'charger off'");
  c.flag = w[1] == "on";
  c.value = -1;  // default current
  if (w.size() == 3) {
    const auto v = number(w[2]);
    if (!v || *v < 0 || *v > 1000) return fail("charger: amps must be 0-1000");
    c.value = *v;
  }
  return ok(c);
}

ParsedCommand parse_soc(const Words& w, Command c) {
  if (w.size() < 2 || w.size() > 3) return fail("soc: expected 'soc [M] PCT'");
  if (w.size() == 3) {
    const auto m = address(w[1]);
    if (!m) return fail("soc: bad module address");
    c.module = *m;
  }
  const auto v = number(w.back());
  if (!v || *v < 0 || *v > 100) return fail("soc: percent must be 0-100");
  c.value = *v;
  return ok(c);
}

ParsedCommand parse_heatsink(const Words& w, Command c) {
  if (w.size() == 2 && w[1] == "auto") {
    c.flag = true;
    return ok(c);
  }
  const auto v = single_number(w);
  if (!v || *v < -40 || *v > 150) return fail("heatsink: expected degC (-40..150) or 'auto'");
  c.value = *v;
  return ok(c);
}

ParsedCommand parse_power(const Words& w, Command c) {
  if (w.size() != 2 || w[1] != "on") return fail("power: expected 'power on'");
  return ok(c);
}

ParsedCommand parse_status(const Words& w, Command c) {
  if (w.size() != 1) return fail("status: takes no argument");
  return ok(c);
}

struct VerbSyntax {
  std::string_view name;
  Verb verb;
  ParsedCommand (*parse)(const Words& w, Command c);
};

constexpr VerbSyntax kVerbs[] = {
    {"drop", Verb::drop, parse_module},
    {"freeze", Verb::freeze, parse_module},
    {"garbage", Verb::garbage, parse_module},
    {"ov", Verb::ov, parse_module},
    {"overdischarge", Verb::overdischarge, parse_module},
    {"overtemp", Verb::overtemp, parse_module},
    {"duplicate", Verb::duplicate, parse_module},
    {"gap", Verb::gap, parse_module},
    {"restore", Verb::restore, parse_restore},
    {"overcurrent", Verb::overcurrent, parse_overcurrent},
    {"address", Verb::address, parse_address},
    {"imbalance", Verb::imbalance, parse_imbalance},
    {"noise", Verb::noise, parse_noise},
    {"silence", Verb::silence, parse_silence},
    {"ambient", Verb::ambient, parse_ambient},
    {"load", Verb::load, parse_load},
    {"charger", Verb::charger, parse_charger},
    {"soc", Verb::soc, parse_soc},
    {"heatsink", Verb::heatsink, parse_heatsink},
    {"power", Verb::power_on, parse_power},
    {"status", Verb::status, parse_status},
};

}  // namespace

ParsedCommand parse_command(std::string_view line) {
  const auto w = split(line);
  if (w.empty()) return fail("empty command");
  for (const auto& syntax : kVerbs) {
    if (w[0] != syntax.name) continue;
    Command c;
    c.verb = syntax.verb;
    return syntax.parse(w, c);
  }
  return fail("unknown command '" + std::string(w[0]) + "'");
}

}  // namespace essd::sim
