// SPDX-License-Identifier: MIT
#include "sim/battery.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace essd::sim {
namespace {

struct OcvPoint {
  double soc;
  double volts;
};
// Typical LFP cell: a steep knee below 5 %, a long flat plateau, and a steep
// rise above 95 % (where CV tapering and "charge terminate" happen).
constexpr OcvPoint kOcv[] = {
    {0.00, 2.500}, {0.02, 2.900}, {0.05, 3.100}, {0.10, 3.200}, {0.20, 3.250}, {0.30, 3.275},
    {0.40, 3.290}, {0.50, 3.300}, {0.60, 3.310}, {0.70, 3.325}, {0.80, 3.335}, {0.90, 3.350},
    {0.95, 3.380}, {0.98, 3.430}, {0.99, 3.470}, {1.00, 3.550},
};
constexpr double kLowSlope = 20.0;   // V per unit SOC below 0 (over-discharged)
constexpr double kHighSlope = 10.0;  // V per unit SOC above 1 (over-charged)
constexpr double kFadePerCycle = 0.0001;
constexpr double kMinSoc = -0.05;  // the coulomb counter saturates here
constexpr double kMaxSoc = 1.05;

}  // namespace

double lfp_ocv(double soc) {
  if (soc <= 0) return kOcv[0].volts + kLowSlope * std::max(soc, kMinSoc);
  const auto& last = kOcv[std::size(kOcv) - 1];
  if (soc >= 1) return last.volts + kHighSlope * (std::min(soc, kMaxSoc) - 1.0);
  for (std::size_t i = 1; i < std::size(kOcv); ++i) {
    if (soc <= kOcv[i].soc) {
      const auto& a = kOcv[i - 1];
      const auto& b = kOcv[i];
      return a.volts + (b.volts - a.volts) * (soc - a.soc) / (b.soc - a.soc);
    }
  }
  return last.volts;
}

Pack::Pack(Rng& rng, double soc, double ambient_c, int cycles) : cycles_(cycles) {
  for (int i = 0; i < kBlocks; ++i) {
    auto& b = blocks_[i];
    b.fresh_capacity_ah = kNominalAh * rng.uniform(0.985, 1.015);
    b.capacity_ah = b.fresh_capacity_ah * (1.0 - kFadePerCycle * cycles);
    b.resistance_ohm = 0.003 * rng.uniform(0.9, 1.1);
    b.thermal_r = 4.0 * rng.uniform(0.9, 1.1);
    b.temp_c = ambient_c;
    soc_offset_[i] = rng.uniform(-0.005, 0.005);
  }
  set_soc(soc);
}

void Pack::set_soc(double soc) {
  for (int i = 0; i < kBlocks; ++i) {
    auto& b = blocks_[i];
    b.charge_ah = std::clamp(soc + soc_offset_[i], 0.0, 1.0) * b.capacity_ah;
  }
}

void Pack::scale_capacity(double f) {
  for (auto& b : blocks_) {
    const double soc_now = b.soc();
    b.fresh_capacity_ah *= f;
    b.capacity_ah *= f;
    b.charge_ah = soc_now * b.capacity_ah;
  }
}

void Pack::widen_spread(double k, double soc) {
  for (auto& o : soc_offset_) o *= k;
  set_soc(soc);
}

void Pack::leak(double fraction) {
  for (auto& b : blocks_)
    b.charge_ah = std::max(kMinSoc * b.capacity_ah, b.charge_ah - fraction * b.capacity_ah);
}

void Pack::apply(double current_a, double dt_s, double ambient_c) {
  const double dq = current_a * dt_s / 3600.0;
  for (auto& b : blocks_) {
    b.charge_ah = std::clamp(b.charge_ah + dq, kMinSoc * b.capacity_ah, kMaxSoc * b.capacity_ah);
    // C dT/dt = I^2 R - (T - Ta) / Rth; exact for constant inputs over dt.
    const double t_inf = ambient_c + current_a * current_a * b.resistance_ohm * b.thermal_r;
    const double tau = b.heat_capacity * b.thermal_r;
    b.temp_c = t_inf + (b.temp_c - t_inf) * std::exp(-dt_s / tau);
  }
  if (current_a < 0) {
    discharged_ah_ += -dq;
    // One cycle = one nominal capacity discharged (counted whole).
    while (discharged_ah_ >= kNominalAh) {
      discharged_ah_ -= kNominalAh;
      ++cycles_;
      for (auto& b : blocks_) {
        const double soc_now = b.soc();
        b.capacity_ah = b.fresh_capacity_ah * (1.0 - kFadePerCycle * cycles_);
        b.charge_ah = soc_now * b.capacity_ah;
      }
    }
  }
}

double Pack::ocv() const {
  double v = 0;
  for (const auto& b : blocks_) v += b.ocv();
  return v;
}

double Pack::resistance() const {
  double r = kInterconnectOhm;
  for (const auto& b : blocks_) r += b.resistance_ohm;
  return r;
}

double Pack::full_charge_ah() const {
  double c = blocks_[0].capacity_ah;
  for (const auto& b : blocks_) c = std::min(c, b.capacity_ah);
  return c;
}

double Pack::rsoc() const {
  double q = blocks_[0].charge_ah;
  for (const auto& b : blocks_) q = std::min(q, b.charge_ah);
  return std::clamp(q / full_charge_ah(), 0.0, 1.0);
}

}  // namespace essd::sim
