// SPDX-License-Identifier: MIT
#pragma once
// The rows of docs/core.md's interlock table, one named pure function
// each. A row says which causes it raises against the charge and the
// discharge path; a path closes only while no row raises any cause against
// it. Controller::Impl::evaluate() feeds them and combines the results.
#include <cstdint>
#include <string>
#include <vector>

#include "core/aggregation.hpp"
#include "core/controller.hpp"
#include "core/phase.hpp"
#include "core/picture.hpp"

namespace essd::core {

/// Path-blocking causes; the bit order is the order of `blocked_by`.
enum CauseBit : std::uint32_t {
  kCauseStarting = 1u << 0,
  kCauseNoModule = 1u << 1,
  kCauseTopology = 1u << 2,
  kCauseCommError = 1u << 3,
  // module_connecting:N, module_chg_line:N, module_ov_line:N,
  // module_dis_line:N come here
  kCauseHwChg = 1u << 4,
  kCauseHwOv = 1u << 5,
  kCauseHwDis = 1u << 6,
  kCauseOffMode = 1u << 7,
  kCauseMaintenance = 1u << 8,
  kCauseOvercurrent = 1u << 9,
  kCauseHeatsink = 1u << 10,
  kCauseOvError = 1u << 11,
  kCauseDischargeError = 1u << 12,
  kCauseBalance = 1u << 13,
  kCauseHostDisconnect = 1u << 14,
  kCauseShutdown = 1u << 15,
};

struct Causes {
  std::uint32_t bits = 0;
  std::uint16_t connecting = 0;  // talking but not connected, or settling
  std::uint16_t chg_line = 0;    // modules with CHG = 0
  std::uint16_t ov_line = 0;     // ... OV = 0
  std::uint16_t dis_line = 0;    // ... DIS = 0
  bool any() const {
    return bits != 0 || connecting != 0 || chg_line != 0 || ov_line != 0 || dis_line != 0;
  }
  Causes& operator|=(const Causes& o);
  bool operator==(const Causes&) const = default;
};

/// What one row raises against each path.
struct RowCauses {
  Causes charge, discharge;
  RowCauses& operator|=(const RowCauses& o) {
    charge |= o.charge;
    discharge |= o.discharge;
    return *this;
  }
};

/// Stable cause strings in blocked_by order.
std::vector<std::string> cause_strings(const Causes& c);

// ---- the rows, in the table's order ----

/// At least one module connected, topology valid, no module lost, and the
/// whole picture: every talking module connected and settled, the configured
/// count met.
RowCauses links_row(const Picture& pic, const TopologyResult& topology);
/// Every connected module's CHG and OV line (charge), DIS line (discharge);
/// `mask` also holds talking modules not yet connected: their word counts.
RowCauses module_lines_row(const Registry& reg, std::uint16_t mask);
/// The hard-wired CHG/OV (charge) and DIS (discharge) inputs, where configured.
RowCauses hw_lines_row(const PanelInputs& panel);
RowCauses off_mode_row(const PanelInputs& panel);
RowCauses maintenance_row(Phase phase);
/// Overcurrent trips the path in the current's direction.
RowCauses overcurrent_row(bool charge_tripped, bool discharge_tripped);
RowCauses heatsink_row(bool tripped);
/// OV ERROR blocks charging, DISCHARGE ERROR discharging.
RowCauses latches_row(const Latches& latches);
/// Fail-safe start and the balance pre-check (start-up and after a module
/// is added), the auto shut-down.
RowCauses phase_row(const PhaseMachine& phase);
/// SunSpec SetOp DISCONNECT.
RowCauses host_row(bool disconnect);

}  // namespace essd::core
