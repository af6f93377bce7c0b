// SPDX-License-Identifier: MIT
#pragma once
// The LCD backend named by [panel] lcd: "none", "terminal" (keys reported
// through on_key) or "hd44780-i2c" (panel.i2c_bus, panel.i2c_address).
// nullptr with `error` set for an unknown name or an I2C bus that cannot be
// opened; transfer errors later are counted by the backend, not fatal.
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "essd/config.hpp"
#include "essd/panel_view.hpp"
#include "hal/lcd/lcd.hpp"

namespace essd::hal {

std::unique_ptr<hal::Lcd> make_lcd(boost::asio::io_context& io, const PanelConfig& cfg,
                                   std::function<void(essd::Press)> on_key, std::string& error);

}  // namespace essd::hal
