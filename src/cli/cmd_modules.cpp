// SPDX-License-Identifier: MIT
// essctl modules: one line per module that has been seen.
#include <cstdio>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_modules(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("modules", "table of all modules seen on the bus");
  sub->callback([&opt, &action] {
    action = [&opt] {
      json result;
      int rc = call(opt, json{{"cmd", "modules"}}, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
        return rc;
      }
      std::printf("%-4s %-9s %-5s %8s %7s %5s %-12s %-3s %-3s %-3s %-6s %4s %4s %6s\n", "ADDR",
                  "LINK", "STALE", "VOLT_V", "CURR_A", "RSOC", "STATE", "CHG", "DIS", "OV",
                  "ALARMS", "TMIN", "TMAX", "AGE_MS");
      auto yn = [](const json& v) { return v.is_boolean() ? (v.get<bool>() ? "1" : "0") : "-"; };
      for (const auto& m : result.value("modules", json::array())) {
        std::string alarms = "-";
        if (m.value("alarms", json()).is_number()) {
          char b[8];
          std::snprintf(b, sizeof b, "%04X", m["alarms"].get<unsigned>());
          alarms = b;
        }
        std::printf(
            "%-4s %-9s %-5s %8s %7s %5s %-12s %-3s %-3s %-3s %-6s %4s %4s %6s\n",
            str(m.value("address", json())).c_str(), str(m.value("link", json())).c_str(),
            m.value("stale", false) ? "yes" : "no", num(m.value("voltage_v", json()), 2).c_str(),
            num(m.value("current_a", json()), 1).c_str(), str(m.value("rsoc_pct", json())).c_str(),
            str(m.value("state_text", json())).c_str(), yn(m.value("chg", json())),
            yn(m.value("dis", json())), yn(m.value("ov", json())), alarms.c_str(),
            str(m.value("temp_min_c", json())).c_str(), str(m.value("temp_max_c", json())).c_str(),
            str(m.value("age_ms", json())).c_str());
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
