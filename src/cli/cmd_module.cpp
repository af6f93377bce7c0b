// SPDX-License-Identifier: MIT
// essctl module N: every field of one module.
#include <cstdio>
#include <memory>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_module(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("module", "details of one module");
  auto address = std::make_shared<int>(0);
  sub->add_option("N", *address, "module address 0-15")->required();
  sub->callback([&opt, &action, address] {
    action = [&opt, address] {
      json result;
      int rc = call(opt, json{{"cmd", "module"}, {"address", *address}}, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
        return rc;
      }
      // Scalars first as "key value"; the cell arrays are `essctl cells N`.
      for (const auto& [k, v] : result.items()) {
        if (k == "cells_mv" || k == "cell_temps_c") continue;
        std::printf("%-15s %s\n", k.c_str(), str(v).c_str());
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
