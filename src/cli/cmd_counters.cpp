// SPDX-License-Identifier: MIT
// essctl counters: every counter as "group.name value".
#include <cstdio>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

namespace {

void flatten(const std::string& prefix, const json& j) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(prefix.empty() ? k : prefix + "." + k, v);
    return;
  }
  std::printf("%-40s %s\n", prefix.c_str(), str(j).c_str());
}

}  // namespace

void add_counters(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("counters", "bus, host link, API and loop counters");
  sub->callback([&opt, &action] {
    action = [&opt] {
      json result;
      int rc = call(opt, json{{"cmd", "counters"}}, result);
      if (rc != kOk) return rc;
      opt.json ? print_json(result) : flatten("", result);
      return rc;
    };
  });
}

}  // namespace essd::cli
