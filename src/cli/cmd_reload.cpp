// SPDX-License-Identifier: MIT
// essctl reload: re-read the configuration file (privileged).
#include <cstdio>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_reload(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("reload", "reload the configuration file");
  sub->callback([&opt, &action] {
    action = [&opt] {
      json result;
      int rc = call(opt, json{{"cmd", "reload"}}, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
      } else {
        std::printf("configuration reloaded\n");
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
