// SPDX-License-Identifier: MIT
#include "daemon/panel_pins.hpp"

#include "hal/gpio/line_spec.hpp"
#include "hal/gpio/sim_pins.hpp"

namespace essd::daemon {
namespace {

using hal::InputFilter;
using hal::InputPin;
using hal::OutputPin;
using hal::PinOpener;

struct Builder {
  PinOpener& opener;
  const PanelConfig& cfg;
  std::vector<std::string>& errors;

  std::unique_ptr<OutputPin> output(const char* key, const std::string& text) {
    if (!text.empty()) {
      std::string error;
      if (auto spec = hal::parse_line_spec(text, error)) {
        if (auto pin = opener.output(*spec, error)) return pin;
      }
      errors.push_back(std::string("panel.") + key + ": " + error);
    }
    return std::make_unique<hal::SimOutputPin>(key);
  }

  std::unique_ptr<InputPin> input(const char* key, const std::string& text, InputFilter filter) {
    if (text.empty()) return nullptr;
    std::string error;
    if (auto spec = hal::parse_line_spec(text, error)) {
      if (auto pin = opener.input(*spec, filter, error)) return pin;
    }
    errors.push_back(std::string("panel.") + key + ": " + error);
    return nullptr;
  }
};

}  // namespace

void drive_outputs(PanelPins& pins, bool charge_closed, bool discharge_closed, bool power_hold) {
  if (pins.charge_path && pins.charge_path->get() != charge_closed) {
    pins.charge_path->set(charge_closed);
  }
  if (pins.discharge_path && pins.discharge_path->get() != discharge_closed) {
    pins.discharge_path->set(discharge_closed);
  }
  if (pins.power_hold && pins.power_hold->get() != power_hold) pins.power_hold->set(power_hold);
}

PanelPins make_panel_pins(PinOpener& opener, const PanelConfig& cfg,
                          std::vector<std::string>& errors) {
  Builder b{opener, cfg, errors};
  PanelPins p;
  // Paths first: they are the ones whose safe level matters most.
  p.charge_path = b.output("charge_path", cfg.charge_path);
  p.discharge_path = b.output("discharge_path", cfg.discharge_path);
  p.power_hold = b.output("power_hold", cfg.power_hold);
  p.led_red = b.output("led_red", cfg.led_red);
  p.led_green = b.output("led_green", cfg.led_green);
  p.chg_lamp = b.output("chg_lamp", cfg.chg_lamp);
  p.dis_lamp = b.output("dis_lamp", cfg.dis_lamp);
  // The button is debounced both ways; the interlock inputs act on their
  // unsafe level at once (SW ON active = OFF mode; CHG/DIS/OV low = blocked).
  const int ms = cfg.debounce_ms;
  p.disp_button = b.input("disp_button", cfg.disp_button, InputFilter::button(ms));
  p.sw_on = b.input("sw_on", cfg.sw_on, InputFilter::interlock(ms, true));
  p.hw_chg = b.input("hw_chg", cfg.hw_chg, InputFilter::interlock(ms, false));
  p.hw_dis = b.input("hw_dis", cfg.hw_dis, InputFilter::interlock(ms, false));
  p.hw_ov = b.input("hw_ov", cfg.hw_ov, InputFilter::interlock(ms, false));
  return p;
}

void show_indicators(const PanelView& view, PanelPins& pins) {
  const auto put = [](std::unique_ptr<OutputPin>& pin, bool on) {
    if (pin && pin->get() != on) pin->set(on);
  };
  put(pins.led_red, view.led_red_on);
  put(pins.led_green, view.led_green_on);
  put(pins.chg_lamp, view.chg_lamp);
  put(pins.dis_lamp, view.dis_lamp);
}

}  // namespace essd::daemon
