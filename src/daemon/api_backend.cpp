// SPDX-License-Identifier: MIT
#include "daemon/api_backend.hpp"

#include <chrono>

#include "api/server.hpp"
#include "history/history.hpp"
#include "host/host_can_link.hpp"
#include "host/modbus_link.hpp"

namespace essd::daemon {

using nlohmann::json;

void ApiBackend::publish(const SystemSnapshot& snap) {
  if (snap.revision == last_revision_) return;
  last_revision_ = snap.revision;
  if (server_) server_->status_changed();
}

void ApiBackend::housekeeping() {
  for (const auto& r : refusals_.expire(p_.clock.now())) report_refusal(r);
}

api::TimeRef ApiBackend::time_ref() const {
  auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return api::TimeRef{p_.clock.now(), wall};
}

namespace {
template <typename Link>
json link_counters(const Link& link) {
  json h = json::object();
  for (const auto& [k, v] : link.counters()) h[k] = v;
  return h;
}
}  // namespace

json ApiBackend::counters() {
  json j = json::object();
  j["bus"] = p_.loop.bus_counters();
  j["record"] = p_.recording.counters();
  json host = json::object();
  const auto& devices = p_.loop.devices();
  if (devices.host_can) host["can"] = link_counters(*devices.host_can);
  if (devices.modbus) host["modbus"] = link_counters(*devices.modbus);
  j["host"] = host;
  auto s = server_->counters();
  j["api"] = {{"clients", s.clients},
              {"accepted", s.accepted},
              {"rejected_full", s.rejected_full},
              {"rejected_per_uid", s.rejected_per_uid},
              {"dropped_idle", s.dropped_idle},
              {"rendered", p_.render.jobs()},
              {"dropped_slow", s.dropped_slow},
              {"dropped_long_line", s.dropped_long_line},
              {"status_pushes", s.status_pushes},
              {"event_pushes", s.event_pushes}};
  json hist = json::object();
  for (const auto& [k, v] : p_.history.counters()) hist[k] = v;
  j["history"] = hist;
  j["loop"] = p_.loop.loop_counters();
  j["events"] = p_.events.total();
  j["heatsink_read_errors"] = p_.loop.heatsink_errors();
  j["fresh_starts"] = p_.loop.fresh_starts();
  j["uptime_s"] = uptime_s();
  return j;
}

void ApiBackend::events(std::optional<std::uint64_t> after, int limit, EventsDone done) {
  p_.history.query(
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

void ApiBackend::render(std::function<std::string()> build, std::function<void(std::string)> done) {
  p_.render.submit(std::move(build), std::move(done));
}

void ApiBackend::audit(const api::Peer& peer, const std::string& cmd, const std::string& detail,
                       bool allowed) {
  std::string what = cmd + (detail.empty() ? "" : " " + detail);
  if (!allowed) {
    // docs/api.md "Limits": at most one event a minute per uid, with the count.
    if (auto r = refusals_.refuse(peer.uid, peer.pid, what, p_.clock.now())) report_refusal(*r);
    return;
  }
  p_.events.emit(Severity::info, "privileged_command",
                 what + " by uid " + std::to_string(peer.uid) + " pid " + std::to_string(peer.pid),
                 cmd);
}

void ApiBackend::report_refusal(const RefusalSummary::Report& r) {
  const std::string who =
      r.uid == static_cast<uid_t>(-1) ? std::string("many uids") : "uid " + std::to_string(r.uid);
  p_.events.emit(Severity::warning, "privileged_command",
                 r.cmd + " refused for " + who + " pid " + std::to_string(r.pid) + " (" +
                     std::to_string(r.count) + (r.count == 1 ? " refusal" : " refusals") +
                     " since the last report)",
                 r.cmd.substr(0, r.cmd.find(' ')));
}

api::ActionResult ApiBackend::maintenance(bool on, const api::Peer&) {
  p_.loop.set_maintenance(on);
  return std::nullopt;
}

api::ActionResult ApiBackend::button(essd::Press press, const api::Peer&) {
  p_.panel.press_now(press);
  return std::nullopt;
}

}  // namespace essd::daemon
