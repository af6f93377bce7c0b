// SPDX-License-Identifier: MIT
#pragma once
// Link bookkeeping shared by the tests' SystemSnapshot builders (panel, host
// links): marking a module connected or lost keeps the link flags, the CON
// map and the connected/lost counts consistent, as core::Controller does.
#include <cstdint>

#include "essd/system_state.hpp"

namespace essd::test {

inline ModuleSnapshot& mark_connected(SystemSnapshot& s, int addr, std::int64_t age_ms) {
  auto& m = s.modules[static_cast<std::size_t>(addr)];
  m.address = static_cast<std::uint8_t>(addr);
  m.link = Link::connected;
  m.seen = true;
  m.stale = false;
  m.age_ms = age_ms;
  s.con_map[static_cast<std::size_t>(15 - addr)] = 'O';
  ++s.modules_connected;
  s.no_module = false;
  return m;
}

inline void mark_lost(SystemSnapshot& s, int addr) {
  auto& m = s.modules[static_cast<std::size_t>(addr)];
  if (m.link == Link::connected) --s.modules_connected;
  m.link = Link::lost;
  m.stale = true;
  ++s.modules_lost;
  s.con_map[static_cast<std::size_t>(15 - addr)] = 'X';
  s.comm_error = true;
}

}  // namespace essd::test
