// SPDX-License-Identifier: MIT
#pragma once
// One simulated module: its pack, its firmware, the faults injected into it
// and its side of the bus (frame schedule, alive counter, CTRL watchdog).
#include <cstdint>
#include <vector>

#include "essd/can_frame.hpp"
#include "essd/time.hpp"
#include "sim/battery.hpp"
#include "sim/firmware.hpp"
#include "sim/rng.hpp"

namespace essd::sim {

inline constexpr MonoMs kFastPeriodMs = 100;   // STATUS, ALARMS
inline constexpr MonoMs kSlowPeriodMs = 1000;  // INFO, CELL_V, CELL_T
inline constexpr MonoMs kCtrlTimeoutMs = 1000;
inline constexpr MonoMs kBootMs = 500;  // Initial state, RSOC unknown

struct Faults {
  bool dropped = false;     // cable cut: sends nothing, hears nothing
  bool frozen = false;      // alive counter stuck
  bool garbage = false;     // every frame invalid
  bool ov = false;          // every block measures 3.80 V
  bool od = false;          // every block measures 2.30 V
  bool ot = false;          // thermistors read 50 degC high
  int oc = 0;               // +1: measures +35 A (charge), -1: -60 A (discharge)
  double imbalance_mv = 0;  // block 5 measures this much low
};

struct ModuleParams {
  int index = 0;  // also its rotary-switch address
  double soc = 0.6;
  double ambient_c = 25;
  MonoMs boot_at = 0;
  MonoMs phase_ms = 0;         // offset of its frame schedule (staggering)
  double capacity_factor = 1;  // [variety]: this module's capacity against the nominal
  double cell_spread = 1;      // [variety]: multiplies the per-block SOC spread
};

class SimModule {
 public:
  SimModule(const ModuleParams& p, std::uint32_t seed);

  int index() const { return index_; }
  int address() const { return address_; }
  void set_address(int a) { address_ = a; }
  std::uint8_t serial_byte() const { return serial_; }
  Faults& faults() { return faults_; }
  const Faults& faults() const { return faults_; }
  Pack& pack() { return pack_; }
  const Pack& pack() const { return pack_; }
  const Firmware& firmware() const { return fw_; }

  /// Whether its own output switches conduct: powered, not shut down, and a
  /// CTRL frame heard within the last second.
  bool conducting(MonoMs now) const;
  bool powered() const { return !shutdown_; }
  void hear_ctrl(std::uint8_t mode, MonoMs now);
  void power_on(MonoMs now);
  /// Power-on at the simulation's origin (boot timing counts from here).
  void start(MonoMs now);

  /// Physics for dt_s seconds at the given true current.
  void apply(double current_a, double dt_s, double ambient_c);
  double current_a() const { return current_a_; }

  /// Emits due frames for bus time `now` (called every 10 ms tick).
  void emit(MonoMs now, double noise, Rng& rng, std::vector<CanFrame>& out);
  /// What it measures now (faults and noise applied).
  Measured measure(double noise, Rng& rng) const;

 private:
  void emit_fast(MonoMs now, double noise, Rng& rng, std::vector<CanFrame>& out);
  void emit_slow(int slot, std::vector<CanFrame>& out);
  void push(CanFrame f, std::vector<CanFrame>& out);

  int index_;
  int address_;
  std::uint8_t serial_;
  MonoMs phase_ms_;
  Pack pack_;
  std::array<double, kSensors> sensor_offset_{};
  Firmware fw_;
  Faults faults_;
  Measured last_{};  // measurement behind the last STATUS/ALARMS
  double current_a_ = 0;
  std::uint8_t alive_ = 0;
  std::uint32_t garbage_n_ = 0;
  MonoMs boot_at_;
  MonoMs last_ctrl_ = -1;  // -1: none heard since power-on
  bool shutdown_ = false;
};

}  // namespace essd::sim
