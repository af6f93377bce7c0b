// SPDX-License-Identifier: MIT
#pragma once
// The front panel's 20x4 character display plus its indicators, as one sink
// for a PanelView. Backends: hd44780-i2c, terminal, none.
#include <string>

#include "essd/panel_view.hpp"

namespace essd::hal {

class Lcd {
 public:
  virtual ~Lcd() = default;
  /// Show the view. Never blocks the caller; a backend that talks to slow
  /// hardware rewrites only what changed and reports errors via counters.
  virtual void show(const PanelView& view) = 0;
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
