// SPDX-License-Identifier: MIT
#pragma once
// Seeded random numbers for the simulator. std::mt19937 is specified bit for
// bit by the standard; the distributions are not, so they are done here to
// keep replays identical across standard libraries.
#include <cmath>
#include <cstdint>
#include <random>

namespace essd::sim {

class Rng {
 public:
  explicit Rng(std::uint32_t seed) : gen_(seed) {}

  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(gen_() >> 8) * (1.0 / 16777216.0); }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Normal(0, sigma), Box-Muller (one value per call, the second dropped).
  double normal(double sigma) {
    if (sigma <= 0) return 0;
    const double u1 = 1.0 - uniform();  // (0, 1]: log() stays finite
    const double u2 = uniform();
    return sigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::mt19937 gen_;
};

}  // namespace essd::sim
