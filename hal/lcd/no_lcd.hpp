// SPDX-License-Identifier: MIT
#pragma once
// lcd = "none": the view goes nowhere (the API's display command still has it).
#include "hal/lcd/lcd.hpp"

namespace essd::hal {

class NoLcd final : public Lcd {
 public:
  void show(const PanelView&) override {}
  std::string describe() const override { return "none"; }
};

}  // namespace essd::hal
