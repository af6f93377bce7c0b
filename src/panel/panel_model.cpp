// SPDX-License-Identifier: MIT
#include "panel/panel_model.hpp"

#include <algorithm>
#include <charconv>

#include "essd/version.hpp"
#include "panel/screens.hpp"

namespace essd::panel {
namespace {

constexpr std::size_t kMaxPending = 16;  // presses between two renders; more are dropped

bool per_module(Item i) {
  return i == Item::status || i == Item::module || i == Item::cell || i == Item::alarm;
}

// Next connected address after `from`, wrapping; `from` itself if it is the
// only one; -1 when none is connected.
int next_connected(std::uint16_t mask, int from) {
  for (int step = 1; step <= 16; ++step) {
    const int a = (from + step) % 16;
    if (mask & (1u << a)) return a;
  }
  return -1;
}

int lowest_connected(std::uint16_t mask) {
  return next_connected(mask, 15);
}

bool module_fault_state(const SystemSnapshot& s) {
  for (const auto& m : s.modules) {
    if (m.link != Link::connected || !m.status) continue;
    const int st = m.status->state & 0xF;
    if (st == 6 || st == 7 || (st >= 9 && st <= 0xD)) return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(Item i) {
  switch (i) {
    case Item::overall:
      return "overall";
    case Item::connection:
      return "connection";
    case Item::status:
      return "status";
    case Item::module:
      return "module";
    case Item::cell:
      return "cell";
    case Item::alarm:
      return "alarm";
    case Item::heatsink:
      return "heatsink";
  }
  return "?";
}

void PanelModel::check_hold(MonoMs now) {
  if (held_ && !hold_fired_ && now - press_start_ >= kHoldMs) {
    hold_fired_ = true;
    enqueue(Press::long_press, press_start_ + kHoldMs);
  }
}

void PanelModel::enqueue(Press p, MonoMs at) {
  if (pending_.size() < kMaxPending) pending_.push_back({p, at});
}

void PanelModel::button(bool pressed, MonoMs now) {
  check_hold(now);  // a hold that was due acts before this edge
  if (pressed) {
    if (held_) return;  // repeated edge: the press in progress stands
    held_ = true;
    hold_fired_ = false;
    press_start_ = now;
    return;
  }
  if (!held_) return;
  held_ = false;
  if (hold_fired_) return;  // the hold already acted; its release does nothing
  const MonoMs d = now - press_start_;
  if (d < kBounceMs) return;
  enqueue(Press::short_press, now);
}

void PanelModel::press(Press p, MonoMs now) {
  check_hold(now);
  enqueue(p, now);
}

void PanelModel::apply(const Action& a, std::uint16_t connected, bool error_stands) {
  // A press on an error screen shows the items for 30 s; a press within
  // that window extends it. Without an error no window opens, so an error
  // that arises later replaces the item at once.
  if (error_stands || (items_until_ && a.at < *items_until_)) {
    items_until_ = a.at + kItemsOverErrorMs;
  }
  if (a.press == Press::long_press) {
    switch (item_) {
      case Item::overall:
        item_ = Item::connection;
        break;
      case Item::connection:
        item_ = Item::overall;
        break;
      case Item::status:
        item_ = Item::module;
        break;
      case Item::module:
        item_ = Item::cell;
        break;
      case Item::cell:
        item_ = Item::alarm;
        break;
      case Item::alarm:
        item_ = Item::heatsink;
        break;
      case Item::heatsink:
        item_ = Item::overall;
        break;
    }
    return;
  }
  if (item_ == Item::connection) {
    item_ = Item::status;
    if (const int low = lowest_connected(connected); low >= 0) module_ = low;
  } else if (per_module(item_)) {
    if (const int next = next_connected(connected, module_); next >= 0) module_ = next;
  }
}

PanelView PanelModel::render(const SystemSnapshot& s, MonoMs now) {
  check_hold(now);
  last_now_ = now;
  const std::uint16_t connected = connected_mask(s);
  const std::optional<ErrorScreen> err = standing_error(s);
  for (const Action& a : pending_) apply(a, connected, err.has_value());
  pending_.clear();

  PanelView v;
  v.item = std::string(to_string(item_));
  v.module = module_;
  const bool items_shown = items_until_ && now < *items_until_;
  if (err && !items_shown) {
    v.error_screen = std::string(to_string(*err));
    v.lines = error_lines(*err, s);
  } else {
    v.lines = item_lines(item_, s, module_);
  }
  if (!err && items_until_ && now >= *items_until_) items_until_.reset();

  LedMode led = LedMode::green;
  if ((err && *err != ErrorScreen::maintenance) || module_fault_state(s)) {
    led = LedMode::red_flash;
  } else if (err == ErrorScreen::maintenance) {
    led = LedMode::green_flash;
  }
  if (led != led_) {
    led_ = led;
    flash_start_ = now;  // a flash starts with its lit half
  }
  const bool lit = ((now - flash_start_) % (2 * kFlashHalfPeriodMs)) < kFlashHalfPeriodMs;
  v.led = led;
  v.led_red_on = led == LedMode::red_flash && lit;
  v.led_green_on = led == LedMode::green || (led == LedMode::green_flash && lit);
  v.chg_lamp = s.charge.closed;
  v.dis_lamp = s.discharge.closed;
  return v;
}

std::optional<MonoMs> PanelModel::next_deadline() const {
  std::optional<MonoMs> d;
  const auto take = [&d](MonoMs t) { d = d ? std::min(*d, t) : t; };
  if (held_ && !hold_fired_) take(press_start_ + kHoldMs);
  if (!pending_.empty()) take(last_now_);
  if (items_until_ && *items_until_ > last_now_) take(*items_until_);
  if (led_ == LedMode::red_flash || led_ == LedMode::green_flash) {
    const MonoMs half = (last_now_ - flash_start_) / kFlashHalfPeriodMs;
    take(flash_start_ + (half + 1) * kFlashHalfPeriodMs);
  }
  return d;
}

std::uint16_t controller_version_code() {
  // "major.minor.patch[-suffix]"; a missing or unparsable part counts as 0.
  unsigned parts[3] = {0, 0, 0};
  const std::string_view v = kVersion;
  const char* p = v.data();
  const char* end = v.data() + v.size();
  for (int i = 0; i < 3 && p < end; ++i) {
    auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc{}) break;
    p = next;
    if (p < end && *p == '.')
      ++p;
    else
      break;
  }
  const unsigned major = std::min(parts[0], 0xFFu);
  const unsigned minor = std::min(parts[1], 0xFu);
  const unsigned patch = std::min(parts[2], 0xFu);
  return static_cast<std::uint16_t>((major << 8) | (minor << 4) | patch);
}

}  // namespace essd::panel
