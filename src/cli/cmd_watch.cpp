// SPDX-License-Identifier: MIT
// essctl watch: status changes and events as the daemon pushes them.
#include <cstdio>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

namespace {

void print_status_line(const json& s) {
  auto path = [](const json& p) { return p.value("closed", false) ? "closed" : "open"; };
  std::printf("status  mode=%s V=%s I=%s RSOC=%s chg=%s dis=%s con=%s errors=%zu\n",
              str(s.value("mode", json())).c_str(), num(s.value("voltage_v", json()), 2).c_str(),
              num(s.value("current_a", json()), 1).c_str(),
              num(s.value("rsoc_pct", json()), 1).c_str(), path(s.value("charge", json::object())),
              path(s.value("discharge", json::object())), str(s.value("con_map", json())).c_str(),
              s.value("errors", json::array()).size());
  std::fflush(stdout);
}

int run_watch(const Options& opt) {
  api::Client client;
  if (int rc = connect(opt, client); rc != kOk) return rc;
  json result;
  if (int rc = call(opt, client, json{{"cmd", "watch"}, {"enable", true}}, result); rc != kOk) {
    return rc;
  }
  for (;;) {
    auto msg = client.next_message(std::chrono::hours(24));
    if (!msg) {
      if (client.error().kind == api::Client::ErrorKind::timeout) continue;
      std::fprintf(stderr, "essctl: %s\n", client.error().message.c_str());
      return kUnreachable;
    }
    if (opt.json) {
      print_json(*msg);
    } else if (msg->contains("status")) {
      print_status_line((*msg)["status"]);
    } else if (msg->contains("event")) {
      std::printf("event   ");
      print_event((*msg)["event"]);
    }
  }
}

}  // namespace

void add_watch(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("watch", "print status changes and events until interrupted");
  sub->callback([&opt, &action] { action = [&opt] { return run_watch(opt); }; });
}

}  // namespace essd::cli
