// SPDX-License-Identifier: MIT
// essctl status: the system at a glance.
#include <iostream>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

namespace {

std::string path_line(const json& p) {
  if (!p.is_object()) return "-";
  if (p.value("closed", false)) return "closed";
  std::string s = "open";
  const auto& b = p.value("blocked_by", json::array());
  if (!b.empty()) {
    s += " (";
    for (std::size_t i = 0; i < b.size(); ++i) s += (i ? ", " : "") + str(b[i]);
    s += ")";
  }
  return s;
}

}  // namespace

void print_status(const json& s) {
  auto row = [](const char* k, const std::string& v) { std::printf("%-11s %s\n", k, v.c_str()); };
  row("Model", str(s.value("model", json())) + " (" + str(s.value("topology", json())) + ")");
  row("Mode", str(s.value("mode", json())));
  row("Voltage", num(s.value("voltage_v", json()), 2) + " V");
  row("Current", num(s.value("current_a", json()), 1) + " A");
  row("RSOC", num(s.value("rsoc_pct", json()), 1) + " %");
  row("Charge", path_line(s.value("charge", json())));
  row("Discharge", path_line(s.value("discharge", json())));
  std::string errors;
  for (const auto& e : s.value("errors", json::array())) {
    if (!errors.empty()) errors += "; ";
    errors += str(e.value("text", json())) + " [" + str(e.value("code", json())) + " since " +
              str(e.value("since", json())) + "]";
  }
  row("Errors", errors.empty() ? "none" : errors);
  const auto l = s.value("limits", json::object());
  row("Limits", "CVL " + num(l.value("cvl_v", json()), 1) + " V  CCL " +
                    num(l.value("ccl_a", json()), 1) + " A  DCL " +
                    num(l.value("dcl_a", json()), 1) + " A  DVL " +
                    num(l.value("dvl_v", json()), 1) + " V");
  row("Heatsink", num(s.value("heatsink_c", json()), 1) + " C");
  row("Modules", str(s.value("modules_connected", json())) + " connected, " +
                     str(s.value("modules_lost", json())) +
                     " lost, CON=" + str(s.value("con_map", json())));
  row("Daemon", "essd " + str(s.value("version", json())) + ", up " +
                    str(s.value("uptime_s", json())) + " s");
}

void add_status(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("status", "system voltage, current, RSOC, paths, errors, limits");
  sub->callback([&opt, &action] {
    action = [&opt] {
      json result;
      int rc = call(opt, json{{"cmd", "status"}}, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
      } else {
        print_status(result);
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
