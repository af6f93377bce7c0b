// SPDX-License-Identifier: MIT
// essctl maintenance on|off: enter or leave COMM OFF MODE (privileged).
#include <cstdio>
#include <memory>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_maintenance(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("maintenance", "enter (on) or leave (off) COMM OFF MODE");
  auto state = std::make_shared<std::string>();
  sub->add_option("STATE", *state, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  sub->callback([&opt, &action, state] {
    action = [&opt, state] {
      json result;
      int rc = call(opt, json{{"cmd", "maintenance"}, {"on", *state == "on"}}, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
      } else {
        std::printf("maintenance mode %s\n", state->c_str());
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
