// SPDX-License-Identifier: MIT
#pragma once
// Snapshots for the panel tests: a healthy four-module parallel system that
// each test bends into the case it needs, and a screen matcher that takes
// the expected lines literally with a '|' after column 20.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "essd/panel_view.hpp"
#include "essd/system_state.hpp"
#include "fakes/snapshot_links.hpp"

namespace essd::panel::test {

inline ModuleSnapshot& connect(SystemSnapshot& s, int addr, bus::Status st = {},
                               bus::Alarms al = {}) {
  auto& m = essd::test::mark_connected(s, addr, 40);
  st.address = al.address = m.address;
  m.status = st;
  m.alarms = al;
  return m;
}

inline void lose(SystemSnapshot& s, int addr) {
  essd::test::mark_lost(s, addr);
}

inline bus::Status status(std::uint16_t v10mv, std::int16_t i100ma, std::uint8_t rsoc,
                          std::uint8_t state, std::uint8_t prev) {
  bus::Status st;
  st.voltage_10mv = v10mv;
  st.current_100ma = i100ma;
  st.rsoc = rsoc;
  st.state = state;
  st.prev_state = prev;
  st.chg = st.dis = st.ov = true;
  return st;
}

inline bus::Alarms alarms(std::uint16_t bits, std::int16_t t_decic, std::uint16_t cycles) {
  bus::Alarms al;
  al.bits = bits;
  al.temp_avg_decic = t_decic;
  al.cycles = cycles;
  return al;
}

/// Modules 00-03 in parallel, discharging 24 A at 53.2 V, 80 %.
inline SystemSnapshot healthy() {
  SystemSnapshot s;
  s.starting = false;
  connect(s, 0, status(5321, -60, 81, 5, 3), alarms(0, 251, 12));
  connect(s, 1, status(5320, -60, 80, 5, 3), alarms(0x1800, 262, 13));
  connect(s, 2, status(5318, -60, 79, 5, 3), alarms(0, 240, 11));
  connect(s, 3, status(5321, -60, 80, 5, 3), alarms(0, 255, 12));
  s.voltage_v = 53.2;
  s.current_a = -24.0;
  s.rsoc_pct = 80.0;
  s.rsoc_known = true;
  s.charge.closed = true;
  s.discharge.closed = true;
  s.heatsink_c = 41.4;
  return s;
}

/// Expected screens are written with a '|' after column 20 so that the
/// trailing spaces are visible in the test source.
inline void expect_screen(const std::array<std::string, 4>& got, std::array<std::string, 4> want) {
  for (std::size_t r = 0; r < 4; ++r) {
    ASSERT_EQ(want[r].size(), 21u) << "test literal row " << r << " must be 20 chars + '|'";
    ASSERT_EQ(want[r].back(), '|');
    want[r].pop_back();
    EXPECT_EQ(got[r], want[r]) << "row " << r;
  }
}

}  // namespace essd::panel::test
