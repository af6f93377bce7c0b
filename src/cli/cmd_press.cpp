// SPDX-License-Identifier: MIT
// essctl press short|long: a DISP button press as if from the panel (privileged).
#include <cstdio>
#include <memory>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_press(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("press", "press the DISP button (short or long)");
  auto kind = std::make_shared<std::string>();
  sub->add_option("KIND", *kind, "short or long")
      ->required()
      ->check(CLI::IsMember({"short", "long"}));
  sub->callback([&opt, &action, kind] {
    action = [&opt, kind] {
      json result;
      int rc = call(opt, json{{"cmd", "button"}, {"press", *kind}}, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
      } else {
        std::printf("pressed DISP (%s)\n", kind->c_str());
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
