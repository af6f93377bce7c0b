// SPDX-License-Identifier: MIT
// essctl display: the front panel as it is now.
#include <cstdio>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_display(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("display", "the LCD lines, LED and lamps as now shown");
  sub->callback([&opt, &action] {
    action = [&opt] {
      json result;
      int rc = call(opt, json{{"cmd", "display"}}, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
        return rc;
      }
      std::printf("+--------------------+\n");
      for (const auto& l : result.value("lines", json::array())) {
        std::printf("|%-20s|\n", str(l).c_str());
      }
      std::printf("+--------------------+\n");
      auto lamp = [](const json& v) { return v.is_boolean() && v.get<bool>() ? "on" : "off"; };
      std::printf("item %s, module %s, LED %s, CHG lamp %s, DIS lamp %s",
                  str(result.value("item", json())).c_str(),
                  str(result.value("module", json())).c_str(),
                  str(result.value("led", json())).c_str(), lamp(result.value("chg_lamp", json())),
                  lamp(result.value("dis_lamp", json())));
      if (result.value("error_screen", json()).is_string()) {
        std::printf(", error screen %s", result["error_screen"].get<std::string>().c_str());
      }
      std::printf("\n");
      return rc;
    };
  });
}

}  // namespace essd::cli
