// SPDX-License-Identifier: MIT
#pragma once
// One digital output (path relay, power-hold, LED, lamp). Backends: libgpiod
// (hal/gpio/gpiod_line.*), simulated/logging (hal/gpio/sim_pins.*).
#include <string>

namespace essd::hal {

class OutputPin {
 public:
  virtual ~OutputPin() = default;
  /// Logical level: true = active (path closed, lamp lit, power held).
  /// Active-low wiring is the backend's business. Never blocks.
  virtual void set(bool active) = 0;
  /// Drives the inactive (safe) level from a terminate or fatal-signal
  /// handler (daemon/fail_safe.hpp): no allocation, no lock, no logging;
  /// on an already-requested line only.
  virtual void force_safe() noexcept = 0;
  virtual bool get() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
