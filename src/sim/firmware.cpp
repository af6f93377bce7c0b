// SPDX-License-Identifier: MIT
#include "sim/firmware.hpp"

#include <algorithm>

#include "essd/module_bus.hpp"

namespace essd::sim {
namespace {

/// Set above `set`, clear below `clear` (or the mirror image for lows).
bool hysteresis_high(bool was, double x, double set, double clear) {
  return was ? x >= clear : x >= set;
}
bool hysteresis_low(bool was, double x, double set, double clear) {
  return was ? x < clear : x < set;
}

}  // namespace

void Firmware::reboot(MonoMs ready_at) {
  *this = Firmware(ready_at);
}

const FirmwareOutput& Firmware::evaluate(const Measured& m, MonoMs now) {
  const auto [min_it, max_it] = std::minmax_element(m.cell_v.begin(), m.cell_v.end());
  const double minc = *min_it, maxc = *max_it;
  const auto [tmin_it, tmax_it] = std::minmax_element(m.temp_c.begin(), m.temp_c.end());
  const double tmin = *tmin_it, tmax = *tmax_it;
  const double i = m.current_a;
  const bool charging = i > th_.active_a;
  const bool discharging = i < -th_.active_a;

  ov_ = hysteresis_high(ov_, maxc, th_.ov_set_v, th_.ov_clear_v);
  od_ = hysteresis_low(od_, minc, th_.od_set_v, th_.od_clear_v);
  judge_over_current(i, now);
  judge_temperature(tmin, tmax);
  judge_unbalance(m.cell_v, maxc - minc);

  if (charging && (maxc >= th_.terminate_cell_v ||
                   (m.voltage_v >= th_.terminate_pack_v && i < th_.terminate_taper_a))) {
    term_ = true;
  } else if (m.rsoc <= th_.terminate_clear_rsoc) {
    term_ = false;
  }

  const std::uint8_t state = state_code(now, charging, discharging, minc);
  if (state != out_.state) {
    out_.prev_state = out_.state;
    out_.state = state;
  }
  out_.alarms = alarm_bits();
  out_.chg = !(ov_ || ot_chg_ || oc_chg_ || term_ || unbal_);
  out_.dis = !(od_ || ot_dis_ || oc_dis_);
  out_.ov = !(ov_ || ot_chg_ || oc_chg_);
  return out_;
}

void Firmware::judge_over_current(double i, MonoMs now) {
  // A few consecutive samples trip; the trip holds at least oc_hold_ms and
  // until the current is back within the limit.
  oc_chg_n_ = i > th_.oc_charge_a ? oc_chg_n_ + 1 : 0;
  oc_dis_n_ = i < -th_.oc_discharge_a ? oc_dis_n_ + 1 : 0;
  if (oc_chg_n_ >= th_.oc_samples || oc_dis_n_ >= th_.oc_samples) {
    oc_release_at_ = now + th_.oc_hold_ms;
    oc_chg_ = oc_chg_ || oc_chg_n_ >= th_.oc_samples;
    oc_dis_ = oc_dis_ || oc_dis_n_ >= th_.oc_samples;
  }
  if (now >= oc_release_at_) {
    if (oc_chg_n_ == 0) oc_chg_ = false;
    if (oc_dis_n_ == 0) oc_dis_ = false;
  }
}

void Firmware::judge_temperature(double tmin, double tmax) {
  // Temperatures outside the charge range forbid charging, outside the
  // discharge range forbid discharging (whatever flows right now, so the
  // lines do not chatter once the controller has stopped the current).
  const double h = th_.t_hysteresis;
  ot_chg_ = ot_chg_ ? (tmax > th_.charge_t_max - h || tmin < th_.charge_t_min + h)
                    : (tmax > th_.charge_t_max || tmin < th_.charge_t_min);
  ot_dis_ = ot_dis_ ? (tmax > th_.discharge_t_max - h || tmin < th_.discharge_t_min + h)
                    : (tmax > th_.discharge_t_max || tmin < th_.discharge_t_min);
}

void Firmware::judge_unbalance(const std::array<double, kBlocks>& cell_v, double spread) {
  // Judged on the flat part of the curve only: near empty or full a few
  // percent of SOC difference is hundreds of millivolts.
  std::array<double, kBlocks> sorted = cell_v;
  std::nth_element(sorted.begin(), sorted.begin() + kBlocks / 2, sorted.end());
  const double median = sorted[kBlocks / 2];
  if (median > 3.1 && median < 3.45) {
    unbal_ = hysteresis_high(unbal_, spread, th_.unbalance_set_v, th_.unbalance_clear_v);
  }
}

std::uint8_t Firmware::state_code(MonoMs now, bool charging, bool discharging,
                                  double min_cell_v) const {
  // The first condition that holds, in order of precedence.
  if (!ready(now)) return bus::kInitial;
  if (ov_) return bus::kOverVoltage;
  if (od_) return bus::kOverDischarge;
  if (oc_chg_) return bus::kOverCurrentCharge;
  if (oc_dis_) return bus::kOverCurrentDischarge;
  if (ot_dis_) return bus::kOverTempDischarge;
  if (ot_chg_ && !discharging) return bus::kOverTempCharge;
  if (unbal_) return bus::kCellUnbalance;
  if (term_) return bus::kChargeTerminate;
  if (charging) return min_cell_v < th_.precharge_cell_v ? bus::kPreCharge : bus::kNormalCharge;
  if (discharging) return bus::kNormalDischarge;
  return bus::kStandby;
}

std::uint16_t Firmware::alarm_bits() const {
  std::uint16_t a = 0;
  if (ov_) a |= bus::kAlarmOverVoltage;
  if (term_) a |= bus::kAlarmChargeTerminate;
  if (od_) a |= bus::kAlarmUnderVoltage;
  if (oc_chg_ || oc_dis_) a |= bus::kAlarmOverCurrent;
  if (ot_chg_ || ot_dis_) a |= bus::kAlarmOverTemp;
  if (unbal_) a |= bus::kAlarmCellUnbalance;
  return a;
}

}  // namespace essd::sim
