// SPDX-License-Identifier: MIT
#include "hal/lcd/make_lcd.hpp"

#include "hal/lcd/hd44780_i2c.hpp"
#include "hal/lcd/linux_i2c_device.hpp"
#include "hal/lcd/no_lcd.hpp"
#include "hal/lcd/terminal_lcd.hpp"

namespace essd::hal {

std::unique_ptr<hal::Lcd> make_lcd(boost::asio::io_context& io, const PanelConfig& cfg,
                                   std::function<void(essd::Press)> on_key, std::string& error) {
  if (cfg.lcd == "none") return std::make_unique<NoLcd>();
  if (cfg.lcd == "terminal") return std::make_unique<TerminalLcd>(io, std::move(on_key));
  if (cfg.lcd == "hd44780-i2c") {
    auto dev = LinuxI2cDevice::open(cfg.i2c_bus, cfg.i2c_address, error);
    if (!dev) return nullptr;
    return std::make_unique<Hd44780I2c>(io, std::move(dev), Hd44780I2c::Options{});
  }
  error = "panel.lcd \"" + cfg.lcd + "\": expected none, terminal or hd44780-i2c";
  return nullptr;
}

}  // namespace essd::hal
