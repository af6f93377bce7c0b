// SPDX-License-Identifier: MIT
#pragma once
// Front panel display model (docs/panel.md "Front panel"): the DISP button
// flow, the seven display items, the error screens with their precedence and
// the LED/lamp rules. Pure: time comes in as MonoMs, the system as a
// SystemSnapshot; PanelView goes out. The daemon calls render() whenever the
// snapshot changes and at next_deadline().
#include <cstdint>
#include <optional>
#include <vector>

#include "essd/panel_view.hpp"
#include "essd/system_state.hpp"
#include "essd/time.hpp"

namespace essd::panel {

/// The seven items in the manual's order.
enum class Item : std::uint8_t { overall, connection, status, module, cell, alarm, heatsink };
std::string_view to_string(Item i);

inline constexpr MonoMs kHoldMs = 3000;             // a hold acts when this is reached
inline constexpr MonoMs kBounceMs = 30;             // shorter presses are ignored
inline constexpr MonoMs kItemsOverErrorMs = 30000;  // items shown after a press on an error
inline constexpr MonoMs kFlashHalfPeriodMs = 500;   // 1 Hz: 500 ms on, 500 ms off

class PanelModel {
 public:
  /// Debounced DISP edges (GPIO or terminal): pressed=true on the press.
  void button(bool pressed, MonoMs now);
  /// A whole press from the API: short, or a hold that reached 3 s.
  void press(Press p, MonoMs now);
  /// Advances the timers to `now` and returns what the panel shows.
  PanelView render(const SystemSnapshot& s, MonoMs now);
  /// When render() must next run for a timer (hold, flash phase, the end
  /// of the items-over-error window) to act; nullopt when nothing is due.
  std::optional<MonoMs> next_deadline() const;

  Item item() const { return item_; }
  int module() const { return module_; }

 private:
  struct Action {
    Press press;
    MonoMs at;
  };
  void check_hold(MonoMs now);
  void enqueue(Press p, MonoMs at);
  void apply(const Action& a, std::uint16_t connected, bool error_stands);

  Item item_ = Item::overall;
  int module_ = 0;
  bool held_ = false;
  bool hold_fired_ = false;
  MonoMs press_start_ = 0;
  std::vector<Action> pending_;        // applied at the next render(), with its snapshot
  std::optional<MonoMs> items_until_;  // items shown over an error screen until then
  LedMode led_ = LedMode::green;
  MonoMs flash_start_ = 0;
  MonoMs last_now_ = 0;
};

/// VER on the Connection item: (major<<8)|(minor<<4)|patch of essd::kVersion
/// (each part clamped to its field).
std::uint16_t controller_version_code();

}  // namespace essd::panel
