// SPDX-License-Identifier: MIT
#include "hal/gpio/sim_pins.hpp"

namespace essd::hal {

void SimOutputPin::set(bool active) {
  if (active == level_) return;
  level_ = active;
  ++changes_;
  if (log_) log_(name_, active);
}

void SimInputPin::set(bool active, MonoMs when) {
  if (active == level_) return;
  level_ = active;
  if (on_change_) on_change_(active, when);
}

}  // namespace essd::hal
