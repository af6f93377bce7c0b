// SPDX-License-Identifier: MIT
// The time- and data-dependent conditions of docs/core.md "Interlocks"
// and "Auto shut-down": OV/DISCHARGE ERROR latches, balance pre-check,
// overcurrent, heatsink, auto shut-down, plus the topology, limits and
// error list of one evaluation. Each step is called from
// Controller::Impl::evaluate() on every input, after the picture is taken.
#include <algorithm>
#include <cstdio>

#include "core/controller_impl.hpp"

namespace essd::core {

namespace {

bool reports_ov(const ModuleRecord& m) {
  return (m.status && m.status->state == bus::kOverVoltage) ||
         (m.alarms && (m.alarms->bits & bus::kAlarmOverVoltage));
}
bool reports_od(const ModuleRecord& m) {
  return (m.status && m.status->state == bus::kOverDischarge) ||
         (m.alarms && (m.alarms->bits & bus::kAlarmUnderVoltage));
}

// Latch clearing thresholds per module, in 10 mV units.
constexpr int kOvClear10mV = 5680;         // every module below 56.8 V
constexpr int kDischargeClear10mV = 4800;  // every module above 48.0 V
constexpr double kChargingA = 0.5;         // auto shut-down: "no charging"

}  // namespace

void Controller::Impl::note_reported(int a, MonoMs now) {
  // Any valid report latches, connected or not: a module announcing over
  // voltage is believed at once.
  const ModuleRecord& m = reg.module(a);
  if (reports_ov(m) && !latches.ov_error) {
    latches.ov_error = true;
    latches_dirty = true;
    emit(Severity::error, "latch_set", "OV ERROR: module reports over voltage. Please discharge",
         now, a, "ov_error");
  }
  if (reports_od(m) && !latches.discharge_error) {
    latches.discharge_error = true;
    latches_dirty = true;
    discharge_error_since = now;
    emit(Severity::error, "latch_set",
         "DISCHARGE ERROR: module reports over discharge. Please charge", now, a,
         "discharge_error");
  }
}

void Controller::Impl::update_latches(MonoMs now, const Derived& d) {
  for (int a = 0; a < bus::kMaxModules; ++a)
    if (d.pic.connected & (1u << a)) note_reported(a, now);
  // A latch clears only on the whole picture (every talking module connected
  // and settled, none lost, the count met, no doubt about who is at which
  // address), with the clear condition holding for every module.
  const bool judged = d.pic.whole() && (d.topology.error == TopologyError::none ||
                                        d.topology.error == TopologyError::voltage);
  if (!judged || !(latches.ov_error || latches.discharge_error)) return;
  bool ov_ok = true, od_ok = true;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    if (!((d.pic.connected | d.pic.talking) & (1u << a))) continue;
    const ModuleRecord& m = reg.module(a);
    if (!m.status || reports_ov(m) || m.status->voltage_10mv >= kOvClear10mV) ov_ok = false;
    if (!m.status || reports_od(m) || m.status->voltage_10mv <= kDischargeClear10mV) od_ok = false;
  }
  if (latches.ov_error && ov_ok) {
    latches.ov_error = false;
    latches_dirty = true;
    emit(Severity::info, "latch_clear", "OV ERROR cleared: every module below 56.8 V", now, -1,
         "ov_error");
  }
  if (latches.discharge_error && od_ok) {
    latches.discharge_error = false;
    latches_dirty = true;
    discharge_error_since = -1;
    emit(Severity::info, "latch_clear", "DISCHARGE ERROR cleared: every module above 48.0 V", now,
         -1, "discharge_error");
  }
}

void Controller::Impl::handle_transitions(MonoMs now) {
  const Transitions t = reg.take_transitions();
  if (!t.any()) return;
  ++revision;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const auto b = 1u << a;
    if (t.lost & b) {
      emit(Severity::error, "module_lost",
           (t.lost_frozen & b) ? "module lost: alive counter frozen" : "module lost: no STATUS",
           now, a, (t.lost_frozen & b) ? "frozen" : "timeout");
    }
    if (t.connected & b) {
      emit(Severity::info, "module_connected", "module connected", now, a);
      phase.recheck();  // the pre-check runs again whenever a module (re)connects
    }
    if (t.duplicate_set & b)
      emit(Severity::error, "duplicate_address", "two serial numbers at one address", now, a,
           "topology");
  }
}

void Controller::Impl::update_balance(MonoMs now, const Derived& d) {
  // Judged only on the whole picture with a valid topology.
  if (!phase.balance_due() || !d.pic.whole() || d.topology.error != TopologyError::none) return;
  const BalanceResult r = check_balance(reg, cfg.topology, d.pic.connected);
  if (!phase.balance_result(r.pass)) return;  // still failing: one event per episode
  char buf[96];
  std::snprintf(buf, sizeof buf,
                "balance pre-check %s: RSOC spread %.0f %%, voltage spread %.2f V%s",
                r.pass ? "passed" : "failed", r.rsoc_spread_pct, r.voltage_spread_v,
                r.rsoc_unknown ? ", RSOC unknown" : "");
  emit(r.pass ? Severity::info : Severity::warning, r.pass ? "balance_pass" : "balance_fail", buf,
       now, -1, "balance");
}

void Controller::Impl::update_overcurrent(MonoMs now, bool tick, const Aggregate& agg) {
  const bool have_current = agg.count > 0;
  const double rating = spec.max_current_a;
  const double instant = rating * cfg.limits.overcurrent_instant_pct / 100.0;
  const MonoMs holdoff = static_cast<MonoMs>(cfg.limits.overcurrent_holdoff_s) * 1000;
  auto step = [&](Overcurrent& oc, double x, const char* path) {
    const bool over = have_current && x > rating;
    if (over) oc.last_over_ms = now;
    bool trip = have_current && x > instant;
    if (tick) {
      oc.rounds = over ? std::min(oc.rounds + 1, 1 << 20) : 0;
      if (oc.rounds >= cfg.limits.overcurrent_rounds) trip = true;
    }
    if (trip && !oc.tripped) {
      oc.tripped = true;
      char buf[80];
      std::snprintf(buf, sizeof buf, "overcurrent on the %s path: %.1f A (rating %.0f A)", path, x,
                    rating);
      emit(Severity::error, "overcurrent_trip", buf, now, -1, "overcurrent", path);
    } else if (oc.tripped && !over && now - oc.last_over_ms >= holdoff) {
      oc.tripped = false;
      emit(Severity::info, "overcurrent_clear", "overcurrent hold-off over", now, -1, "overcurrent",
           path);
    }
  };
  step(oc_charge, agg.current_a, "charge");
  step(oc_discharge, -agg.current_a, "discharge");
}

void Controller::Impl::update_heatsink(MonoMs now) {
  bool trip = false;
  if (cfg.heatsink_configured) {
    if (heatsink_c) {
      if (*heatsink_c >= cfg.limits.heatsink_trip_c)
        heatsink_temp_trip = true;
      else if (*heatsink_c < cfg.limits.heatsink_clear_c)
        heatsink_temp_trip = false;
    }
    // An unreadable sensor is doubt: hold both paths open.
    trip = heatsink_temp_trip || !heatsink_c;
  }
  if (trip == heatsink_trip) return;
  heatsink_trip = trip;
  char buf[80];
  if (trip && heatsink_c)
    std::snprintf(buf, sizeof buf, "heatsink %.1f degC: paths open", *heatsink_c);
  else if (trip)
    std::snprintf(buf, sizeof buf, "heatsink sensor unreadable: paths open");
  else
    std::snprintf(buf, sizeof buf, "heatsink %.1f degC: may close", heatsink_c.value_or(0));
  emit(trip ? Severity::error : Severity::info, trip ? "heatsink_trip" : "heatsink_clear", buf, now,
       -1, "heatsink");
}

void Controller::Impl::update_shutdown(MonoMs now, const Aggregate& agg) {
  if (phase.in(Phase::shutdown)) return;
  if (!latches.discharge_error) {
    discharge_error_since = -1;
    return;
  }
  if (discharge_error_since < 0) discharge_error_since = now;
  if (agg.count > 0 && agg.current_a > kChargingA) discharge_error_since = now;  // charging
  if (now - discharge_error_since >= static_cast<MonoMs>(cfg.limits.auto_shutdown_s) * 1000) {
    phase.shut_down();
    emit(Severity::warning, "auto_shutdown",
         "DISCHARGE ERROR without charging: shutdown requested, power hold released", now, -1,
         "discharge_error");
  }
}

TopologyResult Controller::Impl::topology_of(const Derived& d) const {
  TopologyInput ti;
  ti.model = cfg.model;
  ti.topology = cfg.topology;
  ti.expected = cfg.expected_modules;
  ti.present = static_cast<std::uint16_t>(d.pic.connected | d.pic.lost);
  ti.duplicate = reg.duplicate_mask();
  ti.any_lost = d.pic.lost != 0;
  ti.system_voltage_v = d.agg.voltage_v;
  return check_topology(ti);
}

HostLimits Controller::Impl::limits_of(const Derived& d) const {
  LimitsInput li;
  li.model = cfg.model;
  li.topology = cfg.topology;
  li.connected = d.agg.count;
  li.charge_permitted = !d.charge.any();
  li.discharge_permitted = !d.discharge.any();
  int tmin = 1000, tmax = -1000;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    if (!(d.pic.connected & (1u << a))) continue;
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
  return compute_limits(cfg.limits, li);
}

std::uint32_t Controller::Impl::errors_of(const Derived& d) const {
  std::uint32_t e = 0;
  auto set = [&](int i, bool on) {
    if (on) e |= 1u << i;
  };
  set(kErrComm, d.pic.lost != 0);
  set(kErrOv, latches.ov_error);
  set(kErrDischarge, latches.discharge_error);
  set(kErrNoModule, !d.pic.connected && !d.pic.lost);
  if (d.topology.error != TopologyError::none)
    set(kErrTopoGap + static_cast<int>(d.topology.error) - 1, true);
  set(kErrMaintenance, phase.in(Phase::maintenance));
  set(kErrHeatsink, heatsink_trip);
  set(kErrOvercurrentChg, oc_charge.tripped);
  set(kErrOvercurrentDis, oc_discharge.tripped);
  set(kErrBalance, phase.balance_failed());
  set(kErrHostDisconnect, host_disconnect);
  set(kErrStateFile, state_file_error);
  return e;
}

}  // namespace essd::core
