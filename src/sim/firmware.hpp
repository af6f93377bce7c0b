// SPDX-License-Identifier: MIT
#pragma once
// The module's battery-management firmware: protection thresholds with
// hysteresis, state codes, alarm bits and the CHG/DIS/OV signal lines
// (manual, "Charge and discharge control"). It acts only on what it measures,
// so faults are injected by distorting the measurement.
#include <array>
#include <cstdint>

#include "essd/time.hpp"
#include "sim/battery.hpp"

namespace essd::sim {

inline constexpr int kSensors = 8;  // one thermistor per two cell blocks

struct Measured {
  double voltage_v = 0;
  double current_a = 0;  // + = charging
  std::array<double, kBlocks> cell_v{};
  std::array<double, kSensors> temp_c{};
  double rsoc = 0;  // 0..1
};

/// Thresholds (per cell block unless noted). Documented in docs/simulator.md.
struct Thresholds {
  double ov_set_v = 3.75, ov_clear_v = 3.60;
  double od_set_v = 2.50, od_clear_v = 3.00;
  double terminate_cell_v = 3.65;  // a block this high ends the charge
  double terminate_pack_v = 57.0;  // ... or the pack this high with
  double terminate_taper_a = 1.2;  // the CV current tapered below 0.05 C
  double terminate_clear_rsoc = 0.95;
  double oc_charge_a = 30.0, oc_discharge_a = 55.0;
  int oc_samples = 3;         // consecutive 100 ms samples
  MonoMs oc_hold_ms = 10000;  // before an over-current trip may clear
  double charge_t_min = 0, charge_t_max = 45;
  double discharge_t_min = -20, discharge_t_max = 60;
  double t_hysteresis = 3;
  double unbalance_set_v = 0.30, unbalance_clear_v = 0.20;
  double precharge_cell_v = 2.90;
  double active_a = 0.3;  // below this the module is standing by
};

struct FirmwareOutput {
  std::uint8_t state = 0;
  std::uint8_t prev_state = 0;
  std::uint16_t alarms = 0;
  bool chg = false, dis = false, ov = false;
};

class Firmware {
 public:
  /// Booting: state Initial and RSOC unknown until `ready_at`.
  explicit Firmware(MonoMs ready_at) : ready_at_(ready_at) {}
  /// One 100 ms evaluation.
  const FirmwareOutput& evaluate(const Measured& m, MonoMs now);
  const FirmwareOutput& output() const { return out_; }
  bool ready(MonoMs now) const { return now >= ready_at_; }
  void reboot(MonoMs ready_at);

 private:
  // The steps of evaluate(), each updating its own protection flags.
  void judge_over_current(double i, MonoMs now);
  void judge_temperature(double tmin, double tmax);
  void judge_unbalance(const std::array<double, kBlocks>& cell_v, double spread);
  std::uint8_t state_code(MonoMs now, bool charging, bool discharging, double min_cell_v) const;
  std::uint16_t alarm_bits() const;

  Thresholds th_;
  MonoMs ready_at_;
  FirmwareOutput out_{};
  bool ov_ = false, od_ = false, term_ = false, unbal_ = false;
  bool ot_chg_ = false, ot_dis_ = false;
  bool oc_chg_ = false, oc_dis_ = false;
  int oc_chg_n_ = 0, oc_dis_n_ = 0;
  MonoMs oc_release_at_ = 0;
};

}  // namespace essd::sim
