// SPDX-License-Identifier: MIT
// docs/core.md "Interlocks": one pure function per row of the table.
#include "core/interlocks.hpp"

namespace essd::core {

namespace {

RowCauses both(std::uint32_t bits) {
  RowCauses r;
  r.charge.bits = r.discharge.bits = bits;
  return r;
}

void add_lines(std::vector<std::string>& out, std::uint16_t mask, const char* prefix) {
  for (int a = 0; a < bus::kMaxModules; ++a)
    if (mask & (1u << a)) out.push_back(prefix + std::to_string(a));
}

}  // namespace

Causes& Causes::operator|=(const Causes& o) {
  bits |= o.bits;
  connecting |= o.connecting;
  chg_line |= o.chg_line;
  ov_line |= o.ov_line;
  dis_line |= o.dis_line;
  return *this;
}

std::vector<std::string> cause_strings(const Causes& c) {
  std::vector<std::string> out;
  auto add = [&](std::uint32_t bit, const char* s) {
    if (c.bits & bit) out.emplace_back(s);
  };
  add(kCauseStarting, "starting");
  add(kCauseNoModule, "no_module");
  add(kCauseTopology, "topology");
  add(kCauseCommError, "comm_error");
  add_lines(out, c.connecting, "module_connecting:");
  add_lines(out, c.chg_line, "module_chg_line:");
  add_lines(out, c.ov_line, "module_ov_line:");
  add_lines(out, c.dis_line, "module_dis_line:");
  add(kCauseHwChg, "hw_chg_line");
  add(kCauseHwOv, "hw_ov_line");
  add(kCauseHwDis, "hw_dis_line");
  add(kCauseOffMode, "off_mode");
  add(kCauseMaintenance, "maintenance");
  add(kCauseOvercurrent, "overcurrent");
  add(kCauseHeatsink, "heatsink");
  add(kCauseOvError, "ov_error");
  add(kCauseDischargeError, "discharge_error");
  add(kCauseBalance, "balance");
  add(kCauseHostDisconnect, "host_disconnect");
  add(kCauseShutdown, "shutdown");
  return out;
}

RowCauses links_row(const Picture& pic, const TopologyResult& topology) {
  std::uint32_t bits = 0;
  if (!pic.connected && !pic.lost) bits |= kCauseNoModule;
  if (topology.error != TopologyError::none || (pic.connected && !pic.count_met()))
    bits |= kCauseTopology;
  if (pic.lost) bits |= kCauseCommError;
  RowCauses r = both(bits);
  r.charge.connecting = r.discharge.connecting = pic.pending();
  return r;
}

RowCauses module_lines_row(const Registry& reg, std::uint16_t mask) {
  RowCauses r;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    if (!(mask & (1u << a))) continue;
    const auto& s = reg.module(a).status;
    const auto b = static_cast<std::uint16_t>(1u << a);
    if (!s || !s->chg) r.charge.chg_line |= b;
    if (!s || !s->ov) r.charge.ov_line |= b;
    if (!s || !s->dis) r.discharge.dis_line |= b;
  }
  return r;
}

RowCauses hw_lines_row(const PanelInputs& panel) {
  RowCauses r;
  if (panel.hw_chg && !*panel.hw_chg) r.charge.bits |= kCauseHwChg;
  if (panel.hw_ov && !*panel.hw_ov) r.charge.bits |= kCauseHwOv;
  if (panel.hw_dis && !*panel.hw_dis) r.discharge.bits |= kCauseHwDis;
  return r;
}

RowCauses off_mode_row(const PanelInputs& panel) {
  return both(panel.off_mode ? std::uint32_t{kCauseOffMode} : 0u);
}

RowCauses maintenance_row(Phase phase) {
  return both(phase == Phase::maintenance ? std::uint32_t{kCauseMaintenance} : 0u);
}

RowCauses overcurrent_row(bool charge_tripped, bool discharge_tripped) {
  RowCauses r;
  if (charge_tripped) r.charge.bits |= kCauseOvercurrent;
  if (discharge_tripped) r.discharge.bits |= kCauseOvercurrent;
  return r;
}

RowCauses heatsink_row(bool tripped) {
  return both(tripped ? std::uint32_t{kCauseHeatsink} : 0u);
}

RowCauses latches_row(const Latches& latches) {
  RowCauses r;
  if (latches.ov_error) r.charge.bits |= kCauseOvError;
  if (latches.discharge_error) r.discharge.bits |= kCauseDischargeError;
  return r;
}

RowCauses phase_row(const PhaseMachine& phase) {
  std::uint32_t bits = 0;
  if (phase.in(Phase::starting)) bits |= kCauseStarting;
  // Until the pre-check has passed on the whole picture (a failure also
  // shows as the error BALANCE CHECK).
  if (phase.in(Phase::checking_balance) || phase.balance_failed()) bits |= kCauseBalance;
  if (phase.in(Phase::shutdown)) bits |= kCauseShutdown;
  return both(bits);
}

RowCauses host_row(bool disconnect) {
  return both(disconnect ? std::uint32_t{kCauseHostDisconnect} : 0u);
}

}  // namespace essd::core
