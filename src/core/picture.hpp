// SPDX-License-Identifier: MIT
#pragma once
// The whole picture (docs/core.md "The whole picture"): for every address,
// whether it is talking (a STATUS younger than the communication timeout),
// connected, settling (connected, but a duplicate at its address could not
// have shown yet), lost or absent. Every interlock, the balance pre-check and
// the latch clearing are judged on it: nothing closes or clears on a part.
#include <cstdint>

#include "core/registry.hpp"

namespace essd::core {

struct Picture {
  std::uint16_t talking = 0;    // latest valid STATUS younger than the timeout
  std::uint16_t connected = 0;  // STATUS, ALARMS and INFO since absent/lost
  std::uint16_t lost = 0;       // connected once, not reconnected since
  std::uint16_t settling = 0;   // connected, first INFO younger than one window
  int configured = 0;           // system.modules; 0 = any count

  /// Talking but not (yet) connected, or connected but still settling: each
  /// of these keeps both paths open (cause module_connecting:N).
  std::uint16_t pending() const {
    return static_cast<std::uint16_t>((talking & ~connected & ~lost) | settling);
  }
  /// The modules whose values the conditions are judged on.
  std::uint16_t counted() const { return static_cast<std::uint16_t>(connected & ~settling); }
  bool count_met() const { return configured <= 0 || __builtin_popcount(connected) >= configured; }
  /// At least one module connected, every talking one connected and settled,
  /// none lost, and as many as configured.
  bool whole() const { return connected != 0 && lost == 0 && pending() == 0 && count_met(); }
  bool operator==(const Picture&) const = default;
};

inline Picture take_picture(const Registry& reg, MonoMs now, int configured) {
  Picture p;
  p.talking = reg.talking_mask(now);
  p.connected = reg.connected_mask();
  p.lost = reg.lost_mask();
  p.settling = reg.settling_mask(now);
  p.configured = configured;
  return p;
}

}  // namespace essd::core
