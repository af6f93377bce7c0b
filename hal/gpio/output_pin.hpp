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
  virtual bool get() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
