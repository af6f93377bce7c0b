// SPDX-License-Identifier: MIT
#pragma once
// All of the panel's and the path's pins from [panel] (docs/configuration.md), built in
// one place. Unconfigured outputs become SimOutputPin (so the daemon can
// always set them); unconfigured inputs are nullptr (the condition is not
// wired). A configured line that cannot be opened is reported in `errors`
// (one message per line) and left as for unconfigured: the caller decides
// whether that is fatal (the daemon refuses to start: a path it cannot
// drive must not be simulated silently).
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "essd/config.hpp"
#include "essd/panel_view.hpp"
#include "hal/gpio/input_pin.hpp"
#include "hal/gpio/line_spec.hpp"
#include "hal/gpio/output_pin.hpp"

namespace essd::hal {

struct PanelPins {
  std::unique_ptr<OutputPin> charge_path, discharge_path, power_hold, led_red, led_green, chg_lamp,
      dis_lamp;
  std::unique_ptr<InputPin> disp_button, sw_on, hw_chg, hw_dis, hw_ov;
};

/// Opens real lines; the seam that tests replace with a fake.
class PinOpener {
 public:
  virtual ~PinOpener() = default;
  virtual std::unique_ptr<OutputPin> output(const LineSpec& spec, std::string& error) = 0;
  virtual std::unique_ptr<InputPin> input(const LineSpec& spec, InputFilter filter,
                                          std::string& error) = 0;
};

/// `clock`: the daemon's MonoMs clock, the time base of the inputs' change
/// reports (empty: steady_clock milliseconds since its epoch).
PanelPins make_panel_pins(boost::asio::io_context& io, const PanelConfig& cfg,
                          std::vector<std::string>& errors, std::function<MonoMs()> clock = {});
PanelPins make_panel_pins(PinOpener& opener, const PanelConfig& cfg,
                          std::vector<std::string>& errors);

/// Puts the view's indicators on the pins: LED halves (flash phase applied
/// by the model), CHG/DIS lamps. Call after every PanelModel::render().
void show_indicators(const PanelView& view, PanelPins& pins);

}  // namespace essd::hal
