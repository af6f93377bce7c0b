// SPDX-License-Identifier: MIT
#include "daemon/panel_driver.hpp"

#include "hal/lcd/make_lcd.hpp"

namespace essd::daemon {

PanelDriver::PanelDriver(boost::asio::io_context& io, const LoopClock& clock, PanelPins& pins,
                         SnapshotSource current)
    : io_(io), clock_(clock), pins_(pins), current_(std::move(current)), timer_(io) {}

bool PanelDriver::open_lcd(const PanelConfig& config, std::string& error) {
  lcd_ = hal::make_lcd(io_, config, lifetime_.guard([this](essd::Press p) { key(p); }), error);
  return lcd_ != nullptr;
}

void PanelDriver::render(const SystemSnapshot& snap) {
  const PanelView view = model_.render(snap, snap.now_ms);
  if (lcd_) lcd_->show(view);
  show_indicators(view, pins_);
  arm_deadline();
}

void PanelDriver::button(bool active) {
  model_.button(active, clock_.now());
}

void PanelDriver::key(Press p) {
  model_.press(p, clock_.now());
}

void PanelDriver::press_now(Press p) {
  model_.press(p, clock_.now());
  render(current_());
}

PanelView PanelDriver::view() {
  auto snap = current_();
  return model_.render(snap, snap.now_ms);
}

void PanelDriver::stop() {
  stopped_ = true;
  timer_.cancel();
}

// The 100 ms tick renders the panel; a panel timer that falls between two
// ticks (a DISP hold reaching 3 s, an LED flash edge) gets its own wake-up so
// it acts when it is due, not up to a period later.
void PanelDriver::arm_deadline() {
  const auto due = model_.next_deadline();
  const MonoMs t = clock_.now();
  if (!due || *due <= t || *due - t >= 100 || stopped_) return;
  timer_.expires_at(clock_.at(*due));
  timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    render(current_());
  }));
}

}  // namespace essd::daemon
