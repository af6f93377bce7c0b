// SPDX-License-Identifier: MIT
#pragma once
// What the front panel shows at one instant (docs/panel.md "Front panel"):
// produced by panel::PanelModel (pure), consumed by the LCD/LED/lamp HAL
// backends and the API's display command.
#include <array>
#include <string>
#include <string_view>

namespace essd {

/// A whole press of DISP: short, or a hold that reached 3 s. The terminal
/// panel's keys, the API's button command and the panel model share it.
enum class Press { short_press, long_press };

enum class LedMode { off, green, red_flash, green_flash };

constexpr std::string_view to_string(LedMode m) {
  switch (m) {
    case LedMode::off:
      return "off";
    case LedMode::green:
      return "green";
    case LedMode::red_flash:
      return "red_flash";
    case LedMode::green_flash:
      return "green_flash";
  }
  return "?";
}

struct PanelView {
  std::array<std::string, 4> lines;  // each exactly 20 characters
  std::string item = "overall";      // overall connection status module cell alarm heatsink
  int module = 0;                    // module shown on per-module items
  std::string
      error_screen;  // "" or comm_error ov_error discharge_error no_module topology maintenance
  LedMode led = LedMode::green;
  bool led_red_on = false;  // instantaneous LED outputs (flash phase applied)
  bool led_green_on = true;
  bool chg_lamp = false;
  bool dis_lamp = false;
  bool operator==(const PanelView&) const = default;
};

}  // namespace essd
