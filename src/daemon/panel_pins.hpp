// SPDX-License-Identifier: MIT
#pragma once
// The daemon's wiring of the panel and the paths: which configured line is
// which pin, with which filter, and what the panel's indicators put on
// them ([panel], docs/configuration.md). The pins themselves are hal/gpio's;
// this is where they get their roles.
// Unconfigured outputs become SimOutputPin (so the daemon can always set
// them); unconfigured inputs are nullptr (the condition is not wired). A
// configured line that cannot be opened is reported in `errors` (one message
// per line) and left as for unconfigured: the caller decides whether that is
// fatal (the daemon refuses to start: a path it cannot drive must not be
// simulated silently).
#include <memory>
#include <string>
#include <vector>

#include "essd/config.hpp"
#include "essd/panel_view.hpp"
#include "hal/gpio/input_pin.hpp"
#include "hal/gpio/output_pin.hpp"
#include "hal/gpio/pin_opener.hpp"

namespace essd::daemon {

struct PanelPins {
  std::unique_ptr<hal::OutputPin> charge_path, discharge_path, power_hold, led_red, led_green,
      chg_lamp, dis_lamp;
  std::unique_ptr<hal::InputPin> disp_button, sw_on, hw_chg, hw_dis, hw_ov;
};

/// Opens every configured line through `opener` (hal::GpiodPinOpener in the
/// daemon, a fake in tests).
PanelPins make_panel_pins(hal::PinOpener& opener, const PanelConfig& cfg,
                          std::vector<std::string>& errors);

/// Sets the two path outputs and power-hold where they differ from what is
/// asked (the control loop after every input; start-up, with both open and
/// power-hold asserted, before anything can close a path).
void drive_outputs(PanelPins& pins, bool charge_closed, bool discharge_closed, bool power_hold);

/// Puts the view's indicators on the pins: LED halves (flash phase applied
/// by the model), CHG/DIS lamps. Call after every PanelModel::render().
void show_indicators(const PanelView& view, PanelPins& pins);

}  // namespace essd::daemon
