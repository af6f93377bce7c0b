// core::Controller: inputs and the interlock evaluation (controller.md
// "Interlocks", "Auto shut-down"). Every input ends in evaluate(), which
// recomputes every condition from the current state, so a path opens on
// the very input that breaks a condition.
#include "core/controller.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <variant>

#include "core/controller_impl.hpp"

namespace essd::core {

namespace {

std::uint8_t ctrl_mode_of(SystemMode m) {
  switch (m) {
    case SystemMode::shutdown:
      return bus::kCtrlShutdown;
    case SystemMode::maintenance:
      return bus::kCtrlMaintenance;
    default:
      return bus::kCtrlNormal;
  }
}

}  // namespace

CoreConfig CoreConfig::from(const Config& c, bool heatsink_configured) {
  CoreConfig cc;
  cc.model = c.system.model;
  cc.topology = c.system.topology;
  cc.expected_modules = c.system.modules;
  cc.limits = c.limits;
  cc.heatsink_configured = heatsink_configured;
  return cc;
}

Controller::Impl::Impl(const CoreConfig& c, MonoMs now, Latches restored)
    : cfg(c),
      spec(model_spec(c.model, c.topology)),
      reg(c.limits.comm_timeout_ms),
      latches(restored) {
  heatsink_trip = cfg.heatsink_configured;  // no reading yet: doubt
  if (latches.ov_error)
    emit(Severity::warning, "latch_restore", "OV ERROR restored from the state file", now, -1,
         "ov_error");
  if (latches.discharge_error) {
    emit(Severity::warning, "latch_restore", "DISCHARGE ERROR restored from the state file", now,
         -1, "discharge_error");
    discharge_error_since = now;
  }
  evaluate(now, false);
}

void Controller::Impl::apply_config(const CoreConfig& c) {
  const bool regroup = c.model != cfg.model || c.topology != cfg.topology;
  cfg = c;
  spec = model_spec(c.model, c.topology);
  reg.set_comm_timeout(c.limits.comm_timeout_ms);
  if (regroup) balance_pending = true;  // the groups sharing a connection changed
  if (!cfg.heatsink_configured) heatsink_temp_trip = false;
  ++revision;
}

void Controller::Impl::emit(Severity sev, std::string kind, std::string message, MonoMs now,
                            int module, std::string cause, std::string path) {
  Event e;
  e.severity = sev;
  e.kind = std::move(kind);
  e.message = std::move(message);
  e.module = module;
  e.cause = std::move(cause);
  e.path = std::move(path);
  e.at_ms = now;
  events.push_back(std::move(e));
}

void Controller::Impl::on_frame(const CanFrame& frame, MonoMs now) {
  const bus::DecodeResult r = bus::decode(frame);
  if (maintenance) {
    reg.count(r);  // counted, but module data is ignored in COMM OFF MODE
  } else {
    reg.check(now);  // timeouts first, so a late frame cannot connect on stale data
    if (reg.apply(r, now)) ++revision;
    if (r.ok() && r.address >= 0 && r.address < bus::kMaxModules &&
        (std::holds_alternative<bus::Status>(*r.message) ||
         std::holds_alternative<bus::Alarms>(*r.message)))
      note_reported(r.address, now);
  }
  const FrameCounters& fc = reg.counters();
  counters.frames_in = fc.frames_in;
  counters.frames_valid = fc.frames_valid;
  counters.frames_invalid = fc.frames_invalid;
  counters.unknown_id = fc.unknown_id;
  counters.not_standard = fc.not_standard;
  counters.invalid_by_reason = fc.invalid_by_reason;
  evaluate(now, false);
}

void Controller::Impl::evaluate(MonoMs now, bool tick) {
  if (!maintenance) reg.check(now);
  handle_transitions(now);
  Derived d;
  d.connected = reg.connected_mask();
  d.lost = reg.lost_mask();
  d.agg = aggregate(reg, cfg.topology, d.connected);
  const bool have_current = d.agg.count > 0;
  if (!maintenance) {
    update_latches(now, d.connected, d.lost);
    update_overcurrent(now, tick, d.agg.current_a, have_current);
    update_shutdown(now, d.agg.current_a, have_current);
  }
  update_heatsink(now);

  TopologyInput ti;
  ti.model = cfg.model;
  ti.topology = cfg.topology;
  ti.expected = cfg.expected_modules;
  ti.present = static_cast<std::uint16_t>(d.connected | d.lost);
  ti.duplicate = reg.duplicate_mask();
  ti.any_lost = d.lost != 0;
  ti.system_voltage_v = d.agg.voltage_v;
  d.topology = check_topology(ti);
  const bool all_in = d.connected && !d.lost && d.topology.error == TopologyError::none;
  if (!maintenance) update_balance(now, all_in, d.connected);
  if (starting && all_in && !balance_pending && !maintenance) starting = false;

  std::uint32_t common = 0;
  if (starting) common |= kCauseStarting;
  if (!d.connected && !d.lost) common |= kCauseNoModule;
  if (d.topology.error != TopologyError::none) common |= kCauseTopology;
  if (d.lost) common |= kCauseCommError;
  if (panel.off_mode) common |= kCauseOffMode;
  if (maintenance) common |= kCauseMaintenance;
  if (heatsink_trip) common |= kCauseHeatsink;
  if (balance_fail) common |= kCauseBalance;
  if (host_disconnect) common |= kCauseHostDisconnect;
  if (shutdown) common |= kCauseShutdown;
  // Lines of connected modules, and (fail safe) of any module whose STATUS
  // is current but which has not (yet) connected: its word counts at once.
  std::uint16_t talking = 0;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const ModuleRecord& m = reg.module(a);
    if (m.status && m.last_status_ms >= 0 && now - m.last_status_ms < reg.comm_timeout())
      talking |= static_cast<std::uint16_t>(1u << a);
  }
  const Causes lines = module_lines(static_cast<std::uint16_t>(d.connected | talking));

  d.charge.bits = common;
  d.charge.chg_line = lines.chg_line;
  d.charge.ov_line = lines.ov_line;
  if (panel.hw_chg && !*panel.hw_chg) d.charge.bits |= kCauseHwChg;
  if (panel.hw_ov && !*panel.hw_ov) d.charge.bits |= kCauseHwOv;
  if (oc_charge.tripped) d.charge.bits |= kCauseOvercurrent;
  if (latches.ov_error) d.charge.bits |= kCauseOvError;

  d.discharge.bits = common;
  d.discharge.dis_line = lines.dis_line;
  if (panel.hw_dis && !*panel.hw_dis) d.discharge.bits |= kCauseHwDis;
  if (oc_discharge.tripped) d.discharge.bits |= kCauseOvercurrent;
  if (latches.discharge_error) d.discharge.bits |= kCauseDischargeError;

  d.mode = shutdown         ? SystemMode::shutdown
           : maintenance    ? SystemMode::maintenance
           : panel.off_mode ? SystemMode::off
                            : SystemMode::normal;

  LimitsInput li;
  li.model = cfg.model;
  li.topology = cfg.topology;
  li.connected = d.agg.count;
  li.charge_permitted = !d.charge.any();
  li.discharge_permitted = !d.discharge.any();
  int tmin = 1000, tmax = -1000;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    if (!(d.connected & (1u << a))) continue;
    const ModuleRecord& m = reg.module(a);
    if (m.status &&
        (m.status->state == bus::kChargeTerminate || m.status->state == bus::kChargeSuspend))
      li.charge_stop_reported = true;
    if (m.alarms) {
      if (m.alarms->bits & bus::kAlarmChargeTerminate) li.charge_stop_reported = true;
      tmin = std::min<int>(tmin, m.alarms->temp_min_c);
      tmax = std::max<int>(tmax, m.alarms->temp_max_c);
      li.temps_known = true;
    }
  }
  li.temp_min_c = tmin;
  li.temp_max_c = tmax;
  d.limits = compute_limits(cfg.limits, li);

  auto set_err = [&](int i, bool on) {
    if (on) d.errors |= 1u << i;
  };
  set_err(kErrComm, d.lost != 0);
  set_err(kErrOv, latches.ov_error);
  set_err(kErrDischarge, latches.discharge_error);
  set_err(kErrNoModule, !d.connected && !d.lost);
  if (d.topology.error != TopologyError::none)
    set_err(kErrTopoGap + static_cast<int>(d.topology.error) - 1, true);
  set_err(kErrMaintenance, maintenance);
  set_err(kErrHeatsink, heatsink_trip);
  set_err(kErrOvercurrentChg, oc_charge.tripped);
  set_err(kErrOvercurrentDis, oc_discharge.tripped);
  set_err(kErrBalance, balance_fail);

  diff_and_emit(d, now);
}

void Controller::Impl::diff_and_emit(const Derived& d, MonoMs now) {
  for (int i = 0; i < kErrCount; ++i)
    if ((d.errors & (1u << i)) && (first_evaluation || !(cur.errors & (1u << i))))
      error_since[static_cast<std::size_t>(i)] = now;
  if (first_evaluation) {
    first_evaluation = false;
    cur = d;
    return;
  }
  auto path_event = [&](const Causes& before, const Causes& after, const char* path) {
    if (before.any() == after.any()) return;
    ctrl_request = true;
    if (!after.any()) {
      emit(Severity::info, "path_close", std::string(path) + " path closed", now, -1, "", path);
      return;
    }
    const auto list = cause_strings(after);
    std::string msg = std::string(path) + " path opened:";
    for (const auto& c : list) msg += " " + c;
    emit(Severity::warning, "path_open", std::move(msg), now, -1, list.front(), path);
  };
  path_event(cur.charge, d.charge, "charge");
  path_event(cur.discharge, d.discharge, "discharge");
  if (d.mode != cur.mode) {
    ctrl_request = true;
    emit(d.mode == SystemMode::shutdown ? Severity::warning : Severity::info, "mode_change",
         "mode " + std::string(to_string(cur.mode)) + " -> " + std::string(to_string(d.mode)), now,
         -1, std::string(to_string(d.mode)));
  }
  if (!(d.topology == cur.topology)) {
    if (d.topology.error == TopologyError::none) {
      emit(Severity::info, "topology_clear", "topology valid", now);
    } else {
      const int i = kErrTopoGap + static_cast<int>(d.topology.error) - 1;
      emit(Severity::error, "topology_error", std::string("topology error: ") + error_code(i), now,
           d.topology.address, error_code(i));
    }
  }
  if (!(d == cur)) ++revision;
  cur = d;
}

// ---- Controller forwarding ----

Controller::Controller(const CoreConfig& config, MonoMs now, Latches restored)
    : impl_(std::make_unique<Impl>(config, now, restored)) {}
Controller::~Controller() = default;

void Controller::reconfigure(const CoreConfig& config, MonoMs now) {
  impl_->apply_config(config);
  impl_->evaluate(now, false);
}
void Controller::on_frame(const CanFrame& frame, MonoMs now) {
  impl_->on_frame(frame, now);
}
void Controller::tick(MonoMs now) {
  impl_->evaluate(now, true);
}
void Controller::set_panel_inputs(const PanelInputs& inputs, MonoMs now) {
  impl_->panel = inputs;
  impl_->evaluate(now, false);
}
void Controller::set_heatsink(std::optional<double> celsius, MonoMs now) {
  if (celsius != impl_->heatsink_c) ++impl_->revision;
  impl_->heatsink_c = celsius;
  impl_->evaluate(now, false);
}
void Controller::set_maintenance(bool on, MonoMs now) {
  Impl& s = *impl_;
  if (s.maintenance && !on) {
    // Leaving COMM OFF MODE: nothing from before is trusted; modules must
    // connect afresh (STATUS, ALARMS, INFO) and pass the balance pre-check.
    s.reg.reset_links();
    s.balance_pending = true;
    s.balance_fail = false;
    s.oc_charge.rounds = s.oc_discharge.rounds = 0;
    if (s.latches.discharge_error) s.discharge_error_since = now;
  }
  s.maintenance = on;
  s.evaluate(now, false);
}
void Controller::set_host_disconnect(bool on, MonoMs now) {
  impl_->host_disconnect = on;
  impl_->evaluate(now, false);
}

bool Controller::charge_closed() const {
  return !impl_->cur.charge.any();
}
bool Controller::discharge_closed() const {
  return !impl_->cur.discharge.any();
}
bool Controller::power_hold() const {
  return !impl_->shutdown;
}

bus::Ctrl Controller::next_ctrl() {
  bus::Ctrl c;
  c.mode = ctrl_mode_of(impl_->cur.mode);
  c.charge_closed = charge_closed();
  c.discharge_closed = discharge_closed();
  c.alive = impl_->ctrl_alive++;
  return c;
}
bool Controller::take_ctrl_request() {
  return std::exchange(impl_->ctrl_request, false);
}
std::vector<Event> Controller::take_events() {
  return std::exchange(impl_->events, {});
}
Latches Controller::latches() const {
  return impl_->latches;
}
bool Controller::take_latches_dirty() {
  return std::exchange(impl_->latches_dirty, false);
}
SystemSnapshot Controller::snapshot(MonoMs now) const {
  return impl_->snapshot(now);
}
const Controller::Counters& Controller::counters() const {
  return impl_->counters;
}

}  // namespace essd::core
