// SPDX-License-Identifier: MIT
#pragma once
// Physics of one IJ1001M module: 16 LFP cell blocks in series, each with its
// own capacity, charge, internal resistance and temperature (the per-block
// spread is seeded so that blocks diverge the way real ones do).
#include <array>
#include <cstdint>

#include "sim/rng.hpp"

namespace essd::sim {

inline constexpr int kBlocks = 16;
inline constexpr double kNominalAh = 24.0;         // IJ1001M, to 32.0 V cut-off
inline constexpr double kInterconnectOhm = 0.005;  // bus bars, FETs, shunt

/// Open-circuit voltage of one LFP cell block at a state of charge (0..1,
/// extrapolated steeply beyond both ends). Strictly increasing.
double lfp_ocv(double soc);

struct CellBlock {
  double capacity_ah = kNominalAh;  // full-charge capacity now (fades with cycles)
  double fresh_capacity_ah = kNominalAh;
  double charge_ah = 0;  // coulomb counter
  double resistance_ohm = 0.003;
  double temp_c = 25;
  double thermal_r = 4.0;      // K/W to ambient
  double heat_capacity = 700;  // J/K
  double soc() const { return charge_ah / capacity_ah; }
  double ocv() const { return lfp_ocv(soc()); }
  double terminal_v(double current_a) const { return ocv() + current_a * resistance_ohm; }
};

class Pack {
 public:
  /// soc: 0..1 for every block (with a small seeded spread), cycles: age.
  Pack(Rng& rng, double soc, double ambient_c, int cycles);

  /// Flow current_a (+ = charging) for dt_s seconds: coulomb counting, I^2R
  /// heating against ambient, cycle counting and capacity fade.
  void apply(double current_a, double dt_s, double ambient_c);
  /// Set every block to soc (keeps the seeded spread pattern).
  void set_soc(double soc);
  /// Scales every block's capacity by f (module-to-module variety); keeps SOCs.
  void scale_capacity(double f);
  /// Multiplies the seeded per-block SOC spread by k, then sets every block to soc.
  void widen_spread(double k, double soc);
  /// Self-discharge: every block loses this fraction of its capacity.
  void leak(double fraction);

  double ocv() const;         // sum of block OCVs
  double resistance() const;  // sum of block resistances + interconnect
  const std::array<CellBlock, kBlocks>& blocks() const { return blocks_; }
  std::array<CellBlock, kBlocks>& blocks() { return blocks_; }

  /// Usable capacity: the smallest block ends both charge and discharge.
  double full_charge_ah() const;
  /// Charge left in the weakest block over its capacity, 0..1 clamped.
  double rsoc() const;
  int cycles() const { return cycles_; }
  double discharged_ah() const { return discharged_ah_; }

 private:
  std::array<CellBlock, kBlocks> blocks_{};
  std::array<double, kBlocks> soc_offset_{};
  int cycles_ = 0;
  double discharged_ah_ = 0;  // since the last cycle count step
};

}  // namespace essd::sim
