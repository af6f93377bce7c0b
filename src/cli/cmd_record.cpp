// SPDX-License-Identifier: MIT
// essctl record on FILE | off: start or stop recording the module bus
// (privileged). A relative FILE is made absolute here: essd runs elsewhere.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void add_record(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand(
      "record", "start (on FILE) or stop (off) recording the module bus in candump's log format");
  auto state = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  sub->add_option("STATE", *state, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  sub->add_option("FILE", *file, "the recording (written by essd; rotated to FILE.1)");
  sub->callback([&opt, &action, state, file] {
    action = [&opt, state, file]() -> int {
      json req{{"cmd", "record"}, {"on", *state == "on"}};
      if (*state == "on") {
        if (file->empty()) {
          std::fprintf(stderr, "essctl: record on needs a FILE\n");
          return kUsage;
        }
        std::error_code ec;
        auto abs = std::filesystem::absolute(*file, ec);
        req["path"] = ec ? *file : abs.lexically_normal().string();
      }
      json result;
      int rc = call(opt, req, result);
      if (rc != kOk) return rc;
      if (opt.json) {
        print_json(result);
      } else if (*state == "on") {
        std::printf("recording the module bus to %s\n", result.value("path", "").c_str());
      } else {
        std::printf("bus recording stopped\n");
      }
      return rc;
    };
  });
}

}  // namespace essd::cli
