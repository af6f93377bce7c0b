// SPDX-License-Identifier: MIT
// essctl events [-n N] [-f]: the newest N events, then (with -f) new ones as
// they happen.
#include <cstdio>
#include <deque>
#include <memory>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

void print_event(const json& e) {
  std::string data;
  if (e.contains("data") && e["data"].is_object() && !e["data"].empty())
    data = " " + e["data"].dump();
  std::printf("%6s %-24s %-7s %-18s %s%s\n", str(e.value("seq", json())).c_str(),
              str(e.value("time", json())).c_str(), str(e.value("severity", json())).c_str(),
              str(e.value("kind", json())).c_str(), str(e.value("message", json())).c_str(),
              data.c_str());
  std::fflush(stdout);
}

namespace {

struct EventsArgs {
  int count = 20;
  bool follow = false;
};

int run_events(const Options& opt, const EventsArgs& args) {
  api::Client client;
  if (int rc = connect(opt, client); rc != kOk) return rc;
  json result;
  // Subscribe first so nothing falls between the query and the follow.
  if (args.follow) {
    if (int rc = call(opt, client, json{{"cmd", "watch"}, {"enable", true}}, result); rc != kOk) {
      return rc;
    }
  }
  // Start near the end when the daemon tells us its newest sequence number,
  // then page forward keeping the last `count`.
  std::uint64_t after = 0;
  if (call(opt, client, json{{"cmd", "counters"}}, result) == kOk && result.contains("history") &&
      result["history"].is_object() && result["history"].value("last_seq", json()).is_number()) {
    auto last = result["history"]["last_seq"].get<std::int64_t>();
    after = last > args.count ? static_cast<std::uint64_t>(last - args.count) : 0;
  }
  std::deque<json> tail;
  for (;;) {
    int rc = call(opt, client, json{{"cmd", "events"}, {"after", after}, {"limit", 1000}}, result);
    if (rc != kOk) return rc;
    const auto& list = result.value("events", json::array());
    for (const auto& e : list) {
      tail.push_back(e);
      if (static_cast<int>(tail.size()) > args.count) tail.pop_front();
    }
    auto next = result.value("next", after);
    if (list.empty() || next <= after) break;
    after = next;
  }
  std::uint64_t last_seq = after;
  for (const auto& e : tail) {
    opt.json ? print_json(e) : print_event(e);
    last_seq = std::max<std::uint64_t>(last_seq, e.value("seq", std::uint64_t{0}));
  }
  if (!args.follow) return kOk;
  for (;;) {
    auto msg = client.next_message(std::chrono::hours(24));
    if (!msg) {
      if (client.error().kind == api::Client::ErrorKind::timeout) continue;
      std::fprintf(stderr, "essctl: %s\n", client.error().message.c_str());
      return kUnreachable;
    }
    if (!msg->contains("event")) continue;
    const auto& e = (*msg)["event"];
    auto seq = e.value("seq", std::uint64_t{0});
    if (seq != 0 && seq <= last_seq) continue;  // already shown by the query
    last_seq = std::max(last_seq, seq);
    opt.json ? print_json(e) : print_event(e);
  }
}

}  // namespace

void add_events(CLI::App& app, const Options& opt, Action& action) {
  auto* sub = app.add_subcommand("events", "event history (newest last)");
  auto args = std::make_shared<EventsArgs>();
  sub->add_option("-n,--count", args->count, "number of events to show (default 20)")
      ->check(CLI::Range(1, 100000));
  sub->add_flag("-f,--follow", args->follow, "keep printing new events");
  sub->callback(
      [&opt, &action, args] { action = [&opt, args] { return run_events(opt, *args); }; });
}

}  // namespace essd::cli
