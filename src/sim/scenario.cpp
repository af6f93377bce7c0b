// SPDX-License-Identifier: MIT
#include "sim/scenario.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <sstream>

namespace essd::sim {
namespace {

[[noreturn]] void fail(std::string_view origin, int line, const std::string& why) {
  throw ScenarioError(std::string(origin) + ":" + std::to_string(line) + ": " + why);
}

int line_of(const toml::node& n) {
  return static_cast<int>(n.source().begin.line);
}

Variety parse_variety(const toml::node& node, std::string_view origin) {
  const auto* t = node.as_table();
  if (!t) fail(origin, line_of(node), "variety must be a table ([variety])");
  Variety v;
  v.enabled = true;
  auto g = [](double d) {
    std::ostringstream o;
    o << d;
    return o.str();
  };
  auto number = [&](const toml::node& n, std::string_view k, double lo, double hi) {
    const auto x = n.value<double>();
    if (!x || *x < lo || *x > hi)
      fail(origin, line_of(n),
           std::string(k) + " must be a number in [" + g(lo) + ", " + g(hi) + "]");
    return *x;
  };
  for (const auto& [key, n] : *t) {
    const std::string_view k = key.str();
    if (k == "capacity_pct")
      v.capacity_pct = number(n, k, 0, 20);
    else if (k == "soc_pct")
      v.soc_pct = number(n, k, 0, 20);
    else if (k == "rack_temp_c")
      v.rack_temp_c = number(n, k, 0, 30);
    else if (k == "cell_spread")
      v.cell_spread = number(n, k, 0, 10);
    else if (k == "drift_module")
      v.drift_module = static_cast<int>(number(n, k, 0, 15));
    else if (k == "drift_pct_per_h")
      v.drift_pct_per_h = number(n, k, 0, 1000);
    else
      fail(origin, line_of(n), "unknown key '" + std::string(k) + "' in variety");
  }
  return v;
}

}  // namespace

Scenario parse_scenario(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    fail(origin, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
  Scenario sc;
  for (const auto& [key, node] : root) {
    const std::string_view k = key.str();
    if (k == "name" || k == "description") {
      const auto* s = node.as_string();
      if (!s) fail(origin, line_of(node), std::string(k) + " must be a string");
      (k == "name" ? sc.name : sc.description) = s->get();
    } else if (k == "variety") {
      sc.variety = parse_variety(node, origin);
    } else if (k != "step") {
      fail(origin, line_of(node), "unknown key '" + std::string(k) + "'");
    }
  }
  if (const auto* steps_node = root.get("step")) {
    const auto* steps = steps_node->as_array();
    if (!steps) fail(origin, line_of(*steps_node), "step must be an array of tables ([[step]])");
    for (const auto& el : *steps) {
      const auto* t = el.as_table();
      if (!t) fail(origin, line_of(el), "step must be a table");
      ScenarioStep st;
      st.line = line_of(el);
      bool have_at = false, have_do = false;
      for (const auto& [key, node] : *t) {
        const std::string_view k = key.str();
        if (k == "at") {
          const auto at = node.value<double>();
          if (!at || *at < 0) fail(origin, line_of(node), "at must be a number of seconds >= 0");
          st.at_s = *at;
          have_at = true;
        } else if (k == "do") {
          const auto* s = node.as_string();
          if (!s) fail(origin, line_of(node), "do must be a string");
          st.text = s->get();
          auto parsed = parse_command(st.text);
          if (!parsed.command) fail(origin, line_of(node), parsed.error);
          if (parsed.command->verb == Verb::status)
            fail(origin, line_of(node), "status is a control-channel query, not a step");
          st.command = *parsed.command;
          st.line = line_of(node);
          have_do = true;
        } else {
          fail(origin, line_of(node), "unknown key '" + std::string(k) + "' in step");
        }
      }
      if (!have_at || !have_do) fail(origin, st.line, "a step needs both 'at' and 'do'");
      sc.steps.push_back(std::move(st));
    }
  }
  std::stable_sort(sc.steps.begin(), sc.steps.end(),
                   [](const ScenarioStep& a, const ScenarioStep& b) { return a.at_s < b.at_s; });
  return sc;
}

Scenario load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

}  // namespace essd::sim
