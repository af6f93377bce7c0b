// SPDX-License-Identifier: MIT
// App as the API's Backend, and configuration reload (API and SIGHUP).
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/app.hpp"
#include "history/history.hpp"
#include "host/host_can_link.hpp"
#include "host/modbus_link.hpp"
#include "sim/sim_bus.hpp"

namespace essd::daemon {

using nlohmann::json;

SystemSnapshot App::snapshot() {
  return controller_->snapshot(now());
}

api::TimeRef App::time_ref() const {
  auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return api::TimeRef{now(), wall};
}

std::int64_t App::uptime_s() const {
  return now() / 1000;
}

PanelView App::display() {
  // Render afresh so a press made through the API shows at once.
  auto snap = controller_->snapshot(now());
  view_ = panel_.render(snap, snap.now_ms);
  return view_;
}

json App::counters() {
  json j = json::object();
  const auto& c = controller_->counters();
  json bus = json::object();
  for (const auto& [k, v] : bus_->counters()) bus[k] = v;
  bus["link"] = std::string(to_string(bus_->state()));
  bus["transport"] = bus_->describe();
  bus["frames_in"] = c.frames_in;
  bus["frames_valid"] = c.frames_valid;
  bus["frames_invalid"] = c.frames_invalid;
  bus["unknown_id"] = c.unknown_id;
  bus["not_standard"] = c.not_standard;
  json inv = json::object();
  for (int r = 0; r < bus::kInvalidReasonCount; ++r) {
    inv[std::string(to_string(static_cast<bus::DecodeError>(r)))] = c.invalid_by_reason[r];
  }
  bus["invalid"] = inv;
  bus["ctrl_sent"] = ctrl_sent_;
  bus["ctrl_dropped"] = ctrl_dropped_;
  bus["ctrl_immediate"] = ctrl_immediate_;
  j["bus"] = bus;
  j["record"] = record_counters();

  json host = json::object();
  if (host_can_) {
    json h = json::object();
    for (const auto& [k, v] : host_can_->counters()) h[k] = v;
    host["can"] = h;
  }
  if (modbus_) {
    json h = json::object();
    for (const auto& [k, v] : modbus_->counters()) h[k] = v;
    host["modbus"] = h;
  }
  j["host"] = host;

  auto s = server_->counters();
  j["api"] = {{"clients", s.clients},
              {"accepted", s.accepted},
              {"rejected_full", s.rejected_full},
              {"rejected_per_uid", s.rejected_per_uid},
              {"dropped_idle", s.dropped_idle},
              {"rendered", render_ ? render_->jobs() : 0},
              {"dropped_slow", s.dropped_slow},
              {"dropped_long_line", s.dropped_long_line},
              {"status_pushes", s.status_pushes},
              {"event_pushes", s.event_pushes}};
  json hist = json::object();
  for (const auto& [k, v] : history_->counters()) hist[k] = v;
  j["history"] = hist;
  j["loop"] = {{"ticks", ticks_},
               {"lag_p50_ms", lag_.percentile(50)},
               {"lag_p99_ms", lag_.percentile(99)},
               {"lag_max_ms", lag_.max_ms()},
               {"late_ticks", lag_.late_ticks()}};
  j["events"] = events_total_;
  j["heatsink_read_errors"] = heatsink_errors_;
  j["fresh_starts"] = fresh_starts_;
  j["uptime_s"] = uptime_s();
  return j;
}

void App::events(std::optional<std::uint64_t> after, int limit, EventsDone done) {
  history_->query(
      after.value_or(0), limit,
      [done = std::move(done)](std::vector<history::Record> rs, std::uint64_t next,
                               std::string error) {
        std::vector<api::EventRecord> out;
        out.reserve(rs.size());
        for (auto& r : rs) {
          out.push_back(api::EventRecord{r.seq, std::move(r.time), r.severity, std::move(r.kind),
                                         std::move(r.message), std::move(r.data)});
        }
        if (!error.empty()) error = "event history unavailable: " + error;
        done(std::move(out), next, std::move(error));
      });
}

void App::render(std::function<std::string()> build, std::function<void(std::string)> done) {
  if (!render_) {
    done(build());
    return;
  }
  render_->submit(std::move(build), std::move(done));
}

void App::audit(const api::Peer& peer, const std::string& cmd, const std::string& detail,
                bool allowed) {
  std::string what = cmd + (detail.empty() ? "" : " " + detail);
  if (!allowed) {
    // docs/api.md "Limits": at most one event a minute per uid, with the count.
    if (auto r = refusals_.refuse(peer.uid, peer.pid, what, now())) report_refusal(*r);
    return;
  }
  emit(Severity::info, "privileged_command",
       what + " by uid " + std::to_string(peer.uid) + " pid " + std::to_string(peer.pid), cmd);
}

void App::report_refusal(const RefusalSummary::Report& r) {
  const std::string who =
      r.uid == static_cast<uid_t>(-1) ? std::string("many uids") : "uid " + std::to_string(r.uid);
  emit(Severity::warning, "privileged_command",
       r.cmd + " refused for " + who + " pid " + std::to_string(r.pid) + " (" +
           std::to_string(r.count) + (r.count == 1 ? " refusal" : " refusals") +
           " since the last report)",
       r.cmd.substr(0, r.cmd.find(' ')));
}

void App::history_housekeeping() {
  for (const auto& r : refusals_.expire(now())) report_refusal(r);
  if (!history_) return;
  for (const auto& note : history_->take_notes()) emit(Severity::warning, "history_wal", note);
}

api::ActionResult App::maintenance(bool on, const api::Peer&) {
  controller_->set_maintenance(on, now());
  after_input();
  return std::nullopt;
}

api::ActionResult App::button(essd::Press press, const api::Peer&) {
  panel_.press(press, now());
  auto snap = controller_->snapshot(now());
  render_panel(snap);
  return std::nullopt;
}

api::ActionResult App::reload(const api::Peer&) {
  return reload_config("API");
}

api::ActionResult App::reload_config(const std::string& who) {
  notifier_.reloading();
  LoadedConfig loaded = load_config(cl_);
  if (!loaded.config) {
    std::string first = loaded.errors.empty() ? "unreadable" : loaded.errors.front();
    std::string msg = "configuration rejected (" + who + "), running one kept: " + first;
    if (loaded.errors.size() > 1)
      msg += " (+" + std::to_string(loaded.errors.size() - 1) + " more)";
    for (const auto& e : loaded.errors) spdlog::error("{}", e);
    emit(Severity::error, "config_rejected", msg);
    notifier_.ready();
    return api::ActionError{"invalid_argument", msg};
  }
  Config next = std::move(*loaded.config);
  // What can change in place: limits, expected modules, admin group, client
  // limit. Everything that owns a device or a file needs a restart.
  std::vector<std::string> restart;
  if (next.system.model != config_.system.model ||
      next.system.topology != config_.system.topology) {
    restart.push_back("system.model/topology");
  }
  if (next.bus.transport != config_.bus.transport || next.bus.interface != config_.bus.interface ||
      next.bus.device != config_.bus.device || next.bus.baud != config_.bus.baud) {
    restart.push_back("bus");
  }
  if (next.api.socket != config_.api.socket || next.api.group != config_.api.group) {
    restart.push_back("api.socket/group");
  }
  if (next.history.path != config_.history.path) restart.push_back("history.path");
  if (next.system.state_file != config_.system.state_file) restart.push_back("system.state_file");
  if (next.limits.heatsink_sensor != config_.limits.heatsink_sensor) {
    restart.push_back("limits.heatsink_sensor");
  }
  // Keep the running values of what needs a restart, so what runs is what the
  // status reports.
  next.system.model = config_.system.model;
  next.system.topology = config_.system.topology;
  next.bus = config_.bus;
  next.api.socket = config_.api.socket;
  next.api.group = config_.api.group;
  next.history = config_.history;
  next.system.state_file = config_.system.state_file;
  next.limits.heatsink_sensor = config_.limits.heatsink_sensor;
  next.panel = config_.panel;
  next.host_can = config_.host_can;
  next.host_modbus = config_.host_modbus;

  controller_->reconfigure(core_config(next), now());
  server_->update_options(next.api.admin_group, next.api.max_clients, next.api.max_clients_per_uid,
                          std::chrono::seconds(next.api.idle_timeout_s));
  config_ = std::move(next);
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
  std::string msg = "configuration reloaded from " + loaded.source + " (" + who + ")";
  if (!restart.empty()) {
    msg += "; needs a restart to change:";
    for (const auto& r : restart) msg += " " + r;
  }
  emit(Severity::info, "config_reload", msg);
  after_input();
  notifier_.ready();
  return std::nullopt;
}

}  // namespace essd::daemon
