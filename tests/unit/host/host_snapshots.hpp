// SPDX-License-Identifier: MIT
#pragma once
// Snapshots for the host link tests: a healthy system that each test bends
// into the case it needs. Values are written out literally so that the
// expected protocol fields in the tests can be checked by hand.
#include <cstdint>

#include "essd/system_state.hpp"
#include "fakes/snapshot_links.hpp"

namespace essd::host::test {

struct ModuleValues {
  std::uint16_t voltage_10mv = 5320;  // 53.20 V
  std::int16_t current_100ma = -60;   // -6.0 A
  std::uint8_t rsoc = 80;
  std::uint8_t state = bus::kNormalDischarge;
  std::uint16_t alarms = 0;
  std::int16_t temp_avg_decic = 250;
  std::int8_t temp_min_c = 24, temp_max_c = 27;
  std::uint16_t cycles = 100;
  std::uint16_t nominal_dah = 240, full_dah = 228;
  std::uint16_t cell_mv = 3325;
};

inline ModuleSnapshot& add_module(SystemSnapshot& s, int addr, const ModuleValues& v = {}) {
  auto& m = essd::test::mark_connected(s, addr, 20);
  bus::Status st;
  st.address = m.address;
  st.voltage_10mv = v.voltage_10mv;
  st.current_100ma = v.current_100ma;
  st.rsoc = v.rsoc;
  st.state = v.state;
  st.chg = st.dis = st.ov = true;
  m.status = st;
  bus::Alarms al;
  al.address = m.address;
  al.bits = v.alarms;
  al.temp_avg_decic = v.temp_avg_decic;
  al.temp_min_c = v.temp_min_c;
  al.temp_max_c = v.temp_max_c;
  al.cycles = v.cycles;
  m.alarms = al;
  bus::Info in;
  in.address = m.address;
  in.nominal_dah = v.nominal_dah;
  in.full_dah = v.full_dah;
  m.info = in;
  m.cells_mv.fill(v.cell_mv);
  return m;
}

inline void lose_module(SystemSnapshot& s, int addr) {
  essd::test::mark_lost(s, addr);
}

/// IJ1001C, 4 modules in parallel at 53.20 V, -24.0 A, 80 %, both paths closed.
/// Module 1 holds the lowest cell (3.300 V), module 2 the highest (3.350 V).
inline SystemSnapshot normal_parallel() {
  SystemSnapshot s;
  s.now_ms = 123'456;
  s.model = Model::ij1001c;
  s.topology = Topology::parallel;
  for (int a = 0; a < 4; ++a) {
    ModuleValues v;
    v.cycles = static_cast<std::uint16_t>(100 + a);
    add_module(s, a, v);
  }
  s.modules[1].cells_mv[5] = 3300;
  s.modules[2].cells_mv[9] = 3350;
  s.voltage_v = 53.2;
  s.current_a = -24.0;
  s.rsoc_pct = 80.0;
  s.rsoc_known = true;
  s.starting = false;
  s.charge.closed = true;
  s.discharge.closed = true;
  s.limits = {57.6, 50.0, 50.0, 32.0};
  return s;
}

/// IJ4001C, 7 modules in series at 57.00 V each (399.0 V), charging at 10 A.
inline SystemSnapshot ij4001c_series7() {
  SystemSnapshot s;
  s.now_ms = 5'000;
  s.model = Model::ij4001c;
  s.topology = Topology::series;
  for (int a = 0; a < 7; ++a) {
    ModuleValues v;
    v.voltage_10mv = 5700;
    v.current_100ma = 100;
    v.state = bus::kNormalCharge;
    add_module(s, a, v);
  }
  s.voltage_v = 399.0;
  s.current_a = 10.0;
  s.rsoc_pct = 80.0;
  s.rsoc_known = true;
  s.starting = false;
  s.charge.closed = true;
  s.discharge.closed = true;
  s.limits = {7 * 57.6, 24.0, 50.0, 7 * 32.0};
  return s;
}

}  // namespace essd::host::test
