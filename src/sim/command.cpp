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

}  // namespace

ParsedCommand parse_command(std::string_view line) {
  const auto w = split(line);
  if (w.empty()) return fail("empty command");
  const std::string_view verb = w[0];
  Command c;

  struct ModuleVerb {
    std::string_view name;
    Verb verb;
  };
  static constexpr ModuleVerb kModuleVerbs[] = {
      {"drop", Verb::drop},
      {"freeze", Verb::freeze},
      {"garbage", Verb::garbage},
      {"ov", Verb::ov},
      {"overdischarge", Verb::overdischarge},
      {"overtemp", Verb::overtemp},
      {"duplicate", Verb::duplicate},
      {"gap", Verb::gap},
  };
  for (const auto& mv : kModuleVerbs) {
    if (verb != mv.name) continue;
    if (w.size() != 2) return fail(std::string(verb) + ": expected one module address 0-15");
    const auto m = address(w[1]);
    if (!m) return fail(std::string(verb) + ": bad module address '" + std::string(w[1]) + "'");
    c.verb = mv.verb;
    c.module = *m;
    return {c, {}};
  }

  if (verb == "restore") {
    c.verb = Verb::restore;
    if (w.size() == 2 && w[1] == "all") return {c, {}};
    const auto m = w.size() == 2 ? address(w[1]) : std::nullopt;
    if (!m) return fail("restore: expected a module address 0-15 or 'all'");
    c.module = *m;
    return {c, {}};
  }
  if (verb == "overcurrent") {
    c.verb = Verb::overcurrent;
    const auto m = w.size() >= 2 && w.size() <= 3 ? address(w[1]) : std::nullopt;
    if (!m) return fail("overcurrent: expected 'overcurrent M [charge|discharge]'");
    c.module = *m;
    if (w.size() == 3 && w[2] != "charge" && w[2] != "discharge")
      return fail("overcurrent: direction must be 'charge' or 'discharge'");
    c.flag = w.size() == 3 && w[2] == "charge";
    return {c, {}};
  }
  if (verb == "address") {
    c.verb = Verb::address;
    const auto m = w.size() == 3 ? address(w[1]) : std::nullopt;
    const auto a = w.size() == 3 ? address(w[2]) : std::nullopt;
    if (!m || !a) return fail("address: expected 'address M A' with both 0-15");
    c.module = *m;
    c.target = *a;
    return {c, {}};
  }
  if (verb == "imbalance") {
    c.verb = Verb::imbalance;
    const auto m = w.size() >= 2 && w.size() <= 3 ? address(w[1]) : std::nullopt;
    if (!m) return fail("imbalance: expected 'imbalance M [mV]'");
    c.module = *m;
    c.value = 350;
    if (w.size() == 3) {
      const auto v = number(w[2]);
      if (!v || *v < 0 || *v > 3000) return fail("imbalance: mV must be 0-3000");
      c.value = *v;
    }
    return {c, {}};
  }
  if (verb == "noise" || verb == "silence" || verb == "ambient") {
    const auto v = w.size() == 2 ? number(w[1]) : std::nullopt;
    if (!v) return fail(std::string(verb) + ": expected one number");
    if (verb == "noise") {
      if (*v < 0 || *v > 10) return fail("noise: sigma must be 0-10");
      c.verb = Verb::noise;
    } else if (verb == "silence") {
      if (*v < 0 || *v > 3600000) return fail("silence: ms must be 0-3600000");
      c.verb = Verb::silence;
    } else {
      if (*v < -40 || *v > 80) return fail("ambient: degC must be -40..80");
      c.verb = Verb::ambient;
    }
    c.value = *v;
    return {c, {}};
  }
  if (verb == "load") {
    c.verb = Verb::load;
    if (w.size() != 2) return fail("load: expected 'load A', 'load <P>W' or 'load off'");
    if (w[1] == "off") return {c, {}};
    std::string_view arg = w[1];
    if (arg.back() == 'W' || arg.back() == 'w') {
      c.flag = true;
      arg.remove_suffix(1);
    }
    const auto v = number(arg);
    if (!v || *v < 0 || *v > (c.flag ? 200000 : 1000))
      return fail("load: amps must be 0-1000, watts 0-200000");
    c.value = *v;
    return {c, {}};
  }
  if (verb == "charger") {
    c.verb = Verb::charger;
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
    return {c, {}};
  }
  if (verb == "soc") {
    c.verb = Verb::soc;
    if (w.size() < 2 || w.size() > 3) return fail("soc: expected 'soc [M] PCT'");
    if (w.size() == 3) {
      const auto m = address(w[1]);
      if (!m) return fail("soc: bad module address");
      c.module = *m;
    }
    const auto v = number(w.back());
    if (!v || *v < 0 || *v > 100) return fail("soc: percent must be 0-100");
    c.value = *v;
    return {c, {}};
  }
  if (verb == "heatsink") {
    c.verb = Verb::heatsink;
    if (w.size() == 2 && w[1] == "auto") {
      c.flag = true;
      return {c, {}};
    }
    const auto v = w.size() == 2 ? number(w[1]) : std::nullopt;
    if (!v || *v < -40 || *v > 150) return fail("heatsink: expected degC (-40..150) or 'auto'");
    c.value = *v;
    return {c, {}};
  }
  if (verb == "power") {
    if (w.size() != 2 || w[1] != "on") return fail("power: expected 'power on'");
    c.verb = Verb::power_on;
    return {c, {}};
  }
  if (verb == "status") {
    if (w.size() != 1) return fail("status: takes no argument");
    c.verb = Verb::status;
    return {c, {}};
  }
  return fail("unknown command '" + std::string(verb) + "'");
}

}  // namespace essd::sim
