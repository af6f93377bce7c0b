// SPDX-License-Identifier: MIT
// Controller::snapshot(): the whole SystemSnapshot, built on demand from
// the registry and the last evaluation (never per frame).
#include <cstdio>

#include "core/controller_impl.hpp"

namespace essd::core {

namespace {

constexpr const char* kErrorCodes[kErrCount] = {
    "comm_error",      "ov_error",           "discharge_error",       "no_module",
    "topology_gap",    "topology_duplicate", "topology_too_many",     "topology_too_few",
    "topology_count",  "topology_pair",      "topology_voltage",      "maintenance",
    "heatsink",        "overcurrent_charge", "overcurrent_discharge", "balance",
    "host_disconnect", "state_file"};

// Display texts; "%02d" takes the topology address, the count text its own.
constexpr const char* kErrorTexts[kErrCount] = {
    "COMM ERROR",       "OV ERROR",         "DISCHARGE ERROR",
    "NO MODULE",        "ADDRESS GAP %02d", "DUPLICATE ADDR %02d",
    "TOO MANY MODULES", "TOO FEW MODULES",  "COUNT %d NOT %d",
    "PAIR INCOMPLETE",  "VOLTAGE RANGE",    "COMM OFF MODE",
    "HEATSINK TEMP",    "OVERCURRENT CHG",  "OVERCURRENT DIS",
    "BALANCE CHECK",    "HOST DISCONNECT",  "STATE FILE"};

ModuleSnapshot module_snapshot(const ModuleRecord& m, int a, Link link, bool maintenance,
                               MonoMs now) {
  ModuleSnapshot ms;
  ms.address = static_cast<std::uint8_t>(a);
  ms.link = link;
  ms.seen = m.seen;
  ms.stale = link != Link::connected || maintenance;
  ms.age_ms = m.last_valid_ms >= 0 ? now - m.last_valid_ms : -1;
  ms.status = m.status;
  ms.alarms = m.alarms;
  ms.info = m.info;
  ms.cells_mv = m.cells_mv;
  ms.cell_temps_c.assign(m.cell_temps.begin(), m.cell_temps.begin() + m.cell_temp_count);
  ms.invalid = m.invalid;
  ms.missed_frames = m.missed_frames;
  return ms;
}

}  // namespace

const char* error_code(int index) {
  return index >= 0 && index < kErrCount ? kErrorCodes[index] : "?";
}

// The error list in its fixed order, with each error's text and start.
void Controller::Impl::fill_errors(SystemSnapshot& s) const {
  for (int i = 0; i < kErrCount; ++i) {
    if (!(cur.errors & (1u << i))) continue;
    char buf[32];
    if (i == kErrTopoCount)
      std::snprintf(buf, sizeof buf, kErrorTexts[i], popcount16(cur.pic.connected),
                    cfg.expected_modules);
    else
      std::snprintf(buf, sizeof buf, kErrorTexts[i], cur.topology.address);
    s.errors.push_back({kErrorCodes[i], buf, error_since[static_cast<std::size_t>(i)]});
  }
}

SystemSnapshot Controller::Impl::snapshot(MonoMs now) const {
  SystemSnapshot s;
  s.now_ms = now;
  s.revision = revision;
  s.model = cfg.model;
  s.topology = cfg.topology;
  s.mode = cur.mode;
  s.configured_modules = cfg.expected_modules;
  if (cur.agg.count > 0) {
    s.voltage_v = cur.agg.voltage_v;
    s.current_a = cur.agg.current_a;
    s.rsoc_known = cur.agg.rsoc_known;
    s.rsoc_pct = cur.agg.rsoc_known ? cur.agg.rsoc_pct : 0.0;
  }
  s.charge = {!cur.charge.any(), cause_strings(cur.charge)};
  s.discharge = {!cur.discharge.any(), cause_strings(cur.discharge)};
  fill_errors(s);
  s.limits = cur.limits;
  s.heatsink_c = heatsink_c;
  s.modules_connected = popcount16(cur.pic.connected);
  s.modules_lost = popcount16(cur.pic.lost);
  const bool maintenance = phase.in(Phase::maintenance);
  for (int a = 0; a < bus::kMaxModules; ++a) {
    // The link as last evaluated, so the snapshot agrees with its paths.
    const Link link = (cur.pic.connected & (1u << a)) ? Link::connected
                      : (cur.pic.lost & (1u << a))    ? Link::lost
                                                      : Link::absent;
    s.modules[static_cast<std::size_t>(a)] =
        module_snapshot(reg.module(a), a, link, maintenance, now);
    s.con_map[static_cast<std::size_t>(15 - a)] = link == Link::connected ? 'O'
                                                  : link == Link::lost    ? 'X'
                                                                          : '-';
  }
  s.starting = phase.in(Phase::starting);
  s.comm_error = cur.pic.lost != 0;
  s.no_module = !cur.pic.connected && !cur.pic.lost;
  s.ov_error = latches.ov_error;
  s.discharge_error = latches.discharge_error;
  s.topology_error = cur.topology.error;
  s.topology_address = cur.topology.address;
  s.off_mode = panel.off_mode;
  s.maintenance = maintenance;
  s.host_disconnect = host_disconnect;
  s.overcurrent_charge = oc_charge.tripped;
  s.overcurrent_discharge = oc_discharge.tripped;
  s.heatsink_trip = heatsink_trip;
  s.balance_fail = phase.balance_failed();
  s.power_hold = !phase.in(Phase::shutdown);
  s.ctrl_mode = cur.mode == SystemMode::shutdown      ? bus::kCtrlShutdown
                : cur.mode == SystemMode::maintenance ? bus::kCtrlMaintenance
                                                      : bus::kCtrlNormal;
  return s;
}

}  // namespace essd::core
