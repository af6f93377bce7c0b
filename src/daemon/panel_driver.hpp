// SPDX-License-Identifier: MIT
#pragma once
// The front panel on the loop: the display model fed with each snapshot,
// the LCD and the indicator LEDs it drives, and a wake-up for a panel timer
// that falls between two ticks (docs/panel.md).
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/loop_clock.hpp"
#include "daemon/panel_pins.hpp"
#include "essd/config.hpp"
#include "essd/lifetime.hpp"
#include "essd/panel_view.hpp"
#include "essd/system_state.hpp"
#include "hal/lcd/lcd.hpp"
#include "panel/panel_model.hpp"

namespace essd::daemon {

class PanelDriver {
 public:
  using SnapshotSource = std::function<SystemSnapshot()>;
  PanelDriver(boost::asio::io_context& io, const LoopClock& clock, PanelPins& pins,
              SnapshotSource current);
  ~PanelDriver() { lifetime_.end(); }
  PanelDriver(const PanelDriver&) = delete;
  PanelDriver& operator=(const PanelDriver&) = delete;

  /// The configured display; false (and why in `error`) when it cannot be
  /// used: the panel runs without it.
  bool open_lcd(const PanelConfig& config, std::string& error);
  /// The model, the LCD and the LEDs from `snap`; arms the panel wake-up.
  void render(const SystemSnapshot& snap);
  /// The DISP button's level (its own clock is not ours: the press is
  /// stamped now).
  void button(bool active);
  /// A key of the LCD: applied at the next render.
  void key(Press p);
  /// A press through the API: applied and shown at once.
  void press_now(Press p);
  /// The display as it stands now (rendered afresh, so a press shows).
  PanelView view();
  void stop();

 private:
  void arm_deadline();

  boost::asio::io_context& io_;
  const LoopClock& clock_;
  PanelPins& pins_;
  SnapshotSource current_;
  panel::PanelModel model_;
  std::unique_ptr<hal::Lcd> lcd_;
  boost::asio::steady_timer timer_;  // a DISP hold reaching 3 s between ticks
  bool stopped_ = false;
  Lifetime lifetime_;
};

}  // namespace essd::daemon
