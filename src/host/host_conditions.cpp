// SPDX-License-Identifier: MIT
#include "host/host_conditions.hpp"

#include <algorithm>

namespace essd::host {
namespace {

bool has_state(const bus::Status& st, std::uint8_t code) {
  return st.state == code;
}

// Sums over the connected modules, for the means and the capacity.
struct Sums {
  double temp_c = 0;
  int temps = 0;
  double nominal_dah = 0, full_dah = 0;
  double cell_mv = 0;
  int cells = 0;
};

void add_status(HostConditions& c, const bus::Status& st) {
  if (!st.chg || !st.ov) ++c.blocking_charge;
  if (!st.dis) ++c.blocking_discharge;
  if (has_state(st, bus::kOverTempCharge) || has_state(st, bus::kOverTempDischarge)) {
    c.over_temp = true;
  }
  if (has_state(st, bus::kOverCurrentCharge)) c.charge_oc = true;
  if (has_state(st, bus::kOverCurrentDischarge)) c.discharge_oc = true;
  if (has_state(st, bus::kChargeTerminate)) c.charge_terminate = true;
  if (has_state(st, bus::kCellUnbalance)) c.cell_unbalance = true;
}

void add_alarms(HostConditions& c, const bus::Alarms& al, Sums& sums) {
  c.alarm_bits_or |= al.bits;
  if (al.bits & bus::kAlarmOverVoltage) c.over_voltage = true;
  if (al.bits & bus::kAlarmUnderVoltage) c.under_voltage = true;
  if (al.bits & bus::kAlarmOverTemp) c.over_temp = true;
  if (al.bits & bus::kAlarmChargeTerminate) c.charge_terminate = true;
  if (al.bits & bus::kAlarmCellUnbalance) c.cell_unbalance = true;
  c.min_temp_c = std::min<int>(c.min_temp_c.value_or(al.temp_min_c), al.temp_min_c);
  c.max_temp_c = std::max<int>(c.max_temp_c.value_or(al.temp_max_c), al.temp_max_c);
  sums.temp_c += al.temp_avg_decic / 10.0;
  ++sums.temps;
  c.max_cycles = std::max<std::uint32_t>(c.max_cycles.value_or(0), al.cycles);
}

void add_cells(HostConditions& c, const ModuleSnapshot& m, Sums& sums) {
  for (std::uint16_t mv : m.cells_mv) {
    if (mv == 0 || mv == bus::kNoCell) continue;  // not yet known / no such block
    if (!c.min_cell_mv || mv < *c.min_cell_mv) {
      c.min_cell_mv = mv;
      c.min_cell_module = m.address;
    }
    if (!c.max_cell_mv || mv > *c.max_cell_mv) {
      c.max_cell_mv = mv;
      c.max_cell_module = m.address;
    }
    sums.cell_mv += mv;
    ++sums.cells;
  }
}

// The flags that also follow from the controller's own state, and the warnings.
void add_system_flags(HostConditions& c, const SystemSnapshot& s) {
  c.over_voltage = c.over_voltage || s.ov_error;
  c.under_voltage = c.under_voltage || s.discharge_error;
  c.under_temp = c.min_temp_c && *c.min_temp_c < -20;
  c.charge_oc = c.charge_oc || s.overcurrent_charge;
  c.discharge_oc = c.discharge_oc || s.overcurrent_discharge;
  c.topology_error = s.topology_error != TopologyError::none;
  c.system_error = c.topology_error || s.comm_error || s.maintenance;

  c.warn_over_temp = c.max_temp_c && *c.max_temp_c > 40;
  c.warn_under_temp = c.min_temp_c && *c.min_temp_c < 0;
  c.warn_under_voltage = s.rsoc_known && s.rsoc_pct < 10.0;
  c.warn_over_voltage = c.charge_terminate;
}

}  // namespace

HostConditions derive_conditions(const SystemSnapshot& s) {
  HostConditions c;
  c.connected = 0;
  Sums sums;
  for (const auto& m : s.modules) {
    if (m.link == Link::lost) ++c.lost;
    if (m.link != Link::connected) continue;
    ++c.connected;
    if (m.status) add_status(c, *m.status);
    if (m.alarms) add_alarms(c, *m.alarms, sums);
    if (m.info) {
      sums.nominal_dah += m.info->nominal_dah;
      sums.full_dah += m.info->full_dah;
    }
    add_cells(c, m, sums);
  }
  if (sums.temps > 0) c.mean_temp_c = sums.temp_c / sums.temps;
  if (sums.cells > 0) c.avg_cell_mv = sums.cell_mv / sums.cells;
  if (sums.nominal_dah > 0) {
    c.soh_pct = std::min(100.0, 100.0 * sums.full_dah / sums.nominal_dah);
    const int series = std::max(1, modules_in_series(s.topology, c.connected));
    c.nominal_ah = sums.nominal_dah / 10.0 / series;
  }
  add_system_flags(c, s);
  return c;
}

double published_cvl_v(const SystemSnapshot& s) {
  if (s.limits.cvl_v >= 0.05) return s.limits.cvl_v;
  int count = s.modules_connected;
  if (count <= 0) count = s.configured_modules;
  if (count <= 0) count = model_spec(s.model, s.topology).min_modules;
  return 57.6 * std::max(1, modules_in_series(s.topology, count));
}

}  // namespace essd::host
