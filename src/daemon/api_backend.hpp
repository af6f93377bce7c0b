// SPDX-License-Identifier: MIT
#pragma once
// The daemon as the API sees it (api::Backend): the status and counters of
// the control loop and its parts, the event history, the panel, and the
// privileged actions, each audited (docs/api.md).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "api/backend.hpp"
#include "api/server.hpp"
#include "daemon/bus_recording.hpp"
#include "daemon/control_loop.hpp"
#include "daemon/event_log.hpp"
#include "daemon/loop_clock.hpp"
#include "daemon/panel_driver.hpp"
#include "daemon/refusal_summary.hpp"
#include "daemon/render_worker.hpp"

namespace essd::history {
class History;
}

namespace essd::daemon {

class ApiBackend : public api::Backend {
 public:
  struct Parts {
    const LoopClock& clock;
    EventLog& events;
    ControlLoop& loop;
    PanelDriver& panel;
    history::History& history;
    BusRecording& recording;
    RenderWorker& render;
    std::string model;
    /// The configuration reload (the API's and SIGHUP's), named by who asked.
    std::function<api::ActionResult(const std::string& who)> reload;
  };
  explicit ApiBackend(Parts parts) : p_(std::move(parts)) {}

  /// The server this backend serves, for its counters and status pushes.
  void set_server(api::Server* server) { server_ = server; }
  /// Tells the watchers when the snapshot's revision moved.
  void publish(const SystemSnapshot& snap);
  /// Once a second: the refusal summaries that are due.
  void housekeeping();

  std::string model_name() const override { return p_.model; }
  SystemSnapshot snapshot() override { return p_.loop.snapshot(); }
  api::TimeRef time_ref() const override;
  std::int64_t uptime_s() const override { return p_.clock.now() / 1000; }
  PanelView display() override { return p_.panel.view(); }
  nlohmann::json counters() override;
  void events(std::optional<std::uint64_t> after, int limit, EventsDone done) override;
  void render(std::function<std::string()> build, std::function<void(std::string)> done) override;
  void audit(const api::Peer& peer, const std::string& cmd, const std::string& detail,
             bool allowed) override;
  api::ActionResult maintenance(bool on, const api::Peer& peer) override;
  api::ActionResult button(essd::Press press, const api::Peer& peer) override;
  api::ActionResult reload(const api::Peer&) override { return p_.reload("API"); }
  api::ActionResult record_bus(bool on, const std::string& path, const api::Peer&) override {
    return p_.recording.record_bus(on, path);
  }

 private:
  void report_refusal(const RefusalSummary::Report& r);

  Parts p_;
  api::Server* server_ = nullptr;
  RefusalSummary refusals_;
  std::uint64_t last_revision_ = ~0ull;
};

}  // namespace essd::daemon
