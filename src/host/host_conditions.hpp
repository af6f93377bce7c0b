// SPDX-License-Identifier: MIT
#pragma once
// Facts both host protocols publish, derived once from a SystemSnapshot
// (docs/host-links.md "Rules"): protection and warning conditions, cell extremes,
// temperatures, capacities. Only connected modules count: a lost module's
// values are stale and must not be reported as if current.
#include <cstdint>
#include <optional>

#include "essd/system_state.hpp"

namespace essd::host {

struct HostConditions {
  int connected = 0;           // modules connected
  int lost = 0;                // modules in communication error
  int blocking_charge = 0;     // connected modules with CHG = 0 or OV = 0
  int blocking_discharge = 0;  // connected modules with DIS = 0

  // Protections (0x359 bytes 0-1, SunSpec Evt1).
  bool over_voltage = false;   // OV ERROR or any alarm 0x8000
  bool under_voltage = false;  // DISCHARGE ERROR or any alarm 0x2000
  bool over_temp = false;      // any alarm 0x0800 or state 9/B
  bool under_temp = false;     // lowest cell below -20 degC
  bool discharge_oc = false;   // overcurrent interlock (discharge) or state C
  bool charge_oc = false;      // overcurrent interlock (charge) or state A
  bool system_error = false;   // topology, communication error, maintenance
  bool topology_error = false;

  // Warnings (0x359 bytes 2-3).
  bool warn_over_temp = false;      // highest cell above 40 degC
  bool warn_under_temp = false;     // lowest cell below 0 degC
  bool warn_under_voltage = false;  // RSOC below 10 %
  bool warn_over_voltage = false;   // any module in Charge Terminate

  bool charge_terminate = false;  // state 4 or alarm 0x4000 on any module
  bool cell_unbalance = false;    // state D or alarm 0x0100 on any module
  std::uint16_t alarm_bits_or = 0;

  std::optional<int> min_temp_c;      // lowest cell temperature of the system
  std::optional<int> max_temp_c;      // highest cell temperature of the system
  std::optional<double> mean_temp_c;  // mean of the modules' average cell temperatures

  std::optional<std::uint16_t> min_cell_mv, max_cell_mv;
  int min_cell_module = -1, max_cell_module = -1;
  std::optional<double> avg_cell_mv;

  std::optional<double> soh_pct;     // full / nominal summed, at most 100
  std::optional<double> nominal_ah;  // system capacity: summed / modules in series
  std::optional<std::uint32_t> max_cycles;
};

HostConditions derive_conditions(const SystemSnapshot& s);

/// Charge voltage limit to publish: the snapshot's, or (no module known yet)
/// 57.6 V per module in series for the configured or minimum module count,
/// so that it is never 0.
double published_cvl_v(const SystemSnapshot& s);

}  // namespace essd::host
