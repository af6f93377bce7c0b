// SPDX-License-Identifier: MIT
#pragma once
// A scripted api::Backend for the dispatcher and server tests.
#include <string>
#include <vector>

#include "api/backend.hpp"

namespace essd::api::test {

class FakeBackend : public Backend {
 public:
  SystemSnapshot snap;
  PanelView view;
  nlohmann::json counters_json = {{"bus", {{"rx_frames", 7}}}, {"uptime_s", 12}};
  std::vector<EventRecord> history;
  bool defer_events = false;  // keep the completion for the test to run
  std::vector<EventsDone> deferred;
  std::string events_error;
  ActionResult next_result;  // what the next privileged action returns
  struct Audit {
    Peer peer;
    std::string cmd, detail;
    bool allowed;
  };
  std::vector<Audit> audits;
  std::vector<std::string> actions;  // "maintenance:on", "button:long", "reload"
  struct EventsCall {
    std::optional<std::uint64_t> after;
    int limit;
  };
  std::vector<EventsCall> events_calls;

  std::string model_name() const override { return "IJ1001C"; }
  SystemSnapshot snapshot() override { return snap; }
  TimeRef time_ref() const override { return TimeRef{10'000, 1'764'093'600'000}; }
  std::int64_t uptime_s() const override { return 3600; }
  PanelView display() override { return view; }
  nlohmann::json counters() override { return counters_json; }
  void events(std::optional<std::uint64_t> after, int limit, EventsDone done) override {
    events_calls.push_back({after, limit});
    if (defer_events) {
      deferred.push_back(std::move(done));
      return;
    }
    if (!events_error.empty()) {
      done({}, 0, events_error);
      return;
    }
    std::vector<EventRecord> out;
    std::uint64_t next = after.value_or(0);
    for (const auto& r : history) {
      if (r.seq > after.value_or(0) && static_cast<int>(out.size()) < limit) {
        out.push_back(r);
        next = r.seq;
      }
    }
    done(std::move(out), next, "");
  }
  void audit(const Peer& peer, const std::string& cmd, const std::string& detail,
             bool allowed) override {
    audits.push_back({peer, cmd, detail, allowed});
  }
  ActionResult maintenance(bool on, const Peer&) override {
    actions.push_back(std::string("maintenance:") + (on ? "on" : "off"));
    return next_result;
  }
  ActionResult button(Press press, const Peer&) override {
    actions.push_back(std::string("button:") + (press == Press::long_press ? "long" : "short"));
    return next_result;
  }
  ActionResult reload(const Peer&) override {
    actions.push_back("reload");
    return next_result;
  }
};

}  // namespace essd::api::test
