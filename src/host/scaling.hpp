// SPDX-License-Identifier: MIT
#pragma once
// Scaling of engineering values into 16-bit protocol fields: round to the
// nearest step, saturate at the type's limits (never wrap), report it.
// Non-finite input encodes as 0 so that the encoders are total.
#include <cmath>
#include <cstdint>
#include <limits>

namespace essd::host {

struct Scaled {
  std::int64_t value = 0;
  bool saturated = false;
};

inline Scaled scale_clamped(double v, double factor, std::int64_t lo, std::int64_t hi) {
  if (!std::isfinite(v)) return {0, false};
  const double r = std::round(v * factor);
  if (r > static_cast<double>(hi)) return {hi, true};
  if (r < static_cast<double>(lo)) return {lo, true};
  return {static_cast<std::int64_t>(r), false};
}

inline Scaled scale_u16(double v, double factor) {
  return scale_clamped(v, factor, 0, 0xFFFF);
}
inline Scaled scale_i16(double v, double factor) {
  return scale_clamped(v, factor, std::numeric_limits<std::int16_t>::min(),
                       std::numeric_limits<std::int16_t>::max());
}

/// Two's complement bit pattern of a value already clamped to int16.
inline std::uint16_t i16_bits(std::int64_t v) {
  return static_cast<std::uint16_t>(static_cast<std::int16_t>(v));
}

}  // namespace essd::host
