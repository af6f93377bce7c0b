// SPDX-License-Identifier: MIT
// core::Controller: inputs and the interlock evaluation (docs/core.md
// "Interlocks", "The whole picture", "Auto shut-down"). Every input ends in
// evaluate(), which takes the picture and recomputes every condition from
// it, so a path opens on the very input that breaks a condition.
#include "core/controller.hpp"

#include <utility>
#include <variant>

#include "core/controller_impl.hpp"

namespace essd::core {

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
      last_now(now),
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
  if (regroup) phase.recheck();  // the groups sharing a connection changed
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
  if (phase.in(Phase::maintenance)) {
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

// One evaluation: the picture first, then every condition judged on it,
// then the rows of the interlock table.
void Controller::Impl::evaluate(MonoMs now, bool tick) {
  last_now = now;
  const bool maintenance = phase.in(Phase::maintenance);
  if (!maintenance) reg.check(now);
  handle_transitions(now);
  Derived d;
  d.pic = take_picture(reg, now, cfg.expected_modules);
  d.agg = aggregate(reg, cfg.topology, d.pic.connected);
  d.topology = topology_of(d);
  if (!maintenance) {
    update_latches(now, d);
    update_overcurrent(now, tick, d.agg);
    update_shutdown(now, d.agg);
    update_balance(now, d);
  }
  update_heatsink(now);
  phase.observe_talking(d.pic.talking != 0);
  const RowCauses rows = judge(d);
  d.charge = rows.charge;
  d.discharge = rows.discharge;
  d.mode = phase.in(Phase::shutdown)      ? SystemMode::shutdown
           : phase.in(Phase::maintenance) ? SystemMode::maintenance
           : panel.off_mode               ? SystemMode::off
                                          : SystemMode::normal;
  d.limits = limits_of(d);
  d.errors = errors_of(d);
  diff_and_emit(d, now);
}

RowCauses Controller::Impl::judge(const Derived& d) const {
  RowCauses r = links_row(d.pic, d.topology);
  r |= module_lines_row(reg, static_cast<std::uint16_t>(d.pic.connected | d.pic.talking));
  r |= hw_lines_row(panel);
  r |= off_mode_row(panel);
  r |= maintenance_row(phase.phase());
  r |= overcurrent_row(oc_charge.tripped, oc_discharge.tripped);
  r |= heatsink_row(heatsink_trip);
  r |= latches_row(latches);
  r |= phase_row(phase);
  r |= host_row(host_disconnect);
  return r;
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

std::optional<MonoMs> Controller::Impl::next_deadline() const {
  if (phase.in(Phase::maintenance)) return std::nullopt;  // timeouts do not run
  return reg.next_deadline(last_now);
}

// ---- Controller forwarding ----

Controller::Controller(const CoreConfig& config, MonoMs now, Latches restored)
    : impl_(std::make_unique<Impl>(config, now, restored)) {}
Controller::~Controller() = default;

void Controller::reconfigure(const CoreConfig& config, MonoMs now) {
  impl_->evaluate(now, false);  // what the running configuration decided until now
  impl_->apply_config(config);
  impl_->evaluate(now, false);
}
void Controller::on_frame(const CanFrame& frame, MonoMs now) {
  impl_->on_frame(frame, now);
}
void Controller::tick(MonoMs now) {
  impl_->evaluate(now, true);
}
void Controller::advance(MonoMs now) {
  impl_->evaluate(now, false);
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
  if (on) {
    s.phase.enter_maintenance();
  } else if (s.phase.in(Phase::maintenance)) {
    // Leaving COMM OFF MODE: nothing from before is trusted. Connected
    // modules confirm afresh (STATUS, ALARMS, INFO) or are lost after the
    // timeout; a lost one stays lost until it reconnects; the balance
    // pre-check runs again.
    s.reg.forget_connections(now);
    s.phase.leave_maintenance();
    s.oc_charge.rounds = s.oc_discharge.rounds = 0;
    if (s.latches.discharge_error) s.discharge_error_since = now;
  }
  s.evaluate(now, false);
}
void Controller::set_host_disconnect(bool on, MonoMs now) {
  impl_->host_disconnect = on;
  impl_->evaluate(now, false);
}
void Controller::set_state_file_error(bool failing, MonoMs now) {
  impl_->state_file_error = failing;
  impl_->evaluate(now, false);
}

bool Controller::charge_closed() const {
  return !impl_->cur.charge.any();
}
bool Controller::discharge_closed() const {
  return !impl_->cur.discharge.any();
}
bool Controller::power_hold() const {
  return !impl_->phase.in(Phase::shutdown);
}

bool Controller::ctrl_wanted() const {
  return impl_->phase.ctrl_wanted();
}

bus::Ctrl Controller::next_ctrl() {
  bus::Ctrl c;
  c.mode = impl_->cur.mode == SystemMode::shutdown      ? bus::kCtrlShutdown
           : impl_->cur.mode == SystemMode::maintenance ? bus::kCtrlMaintenance
                                                        : bus::kCtrlNormal;
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
std::optional<MonoMs> Controller::next_deadline() const {
  return impl_->next_deadline();
}
bool Controller::fresh_start_due() const {
  return impl_->phase.fresh_start_due();
}
SystemSnapshot Controller::snapshot(MonoMs now) const {
  return impl_->snapshot(now);
}
const Controller::Counters& Controller::counters() const {
  return impl_->counters;
}

}  // namespace essd::core
