// SPDX-License-Identifier: MIT
#pragma once
// Builds an arbitrary SystemSnapshot from fuzz bytes: every field the host
// encoders read, including combinations the controller would never produce
// (a connected module without STATUS, NaN aggregates, all flags at once), so
// that the encoders are proven total rather than correct only on the
// controller's happy path.
#include <string>

#include "essd/system_state.hpp"
#include "fuzz/targets/byte_reader.hpp"

namespace essd::fuzz {

inline ModuleSnapshot make_module(ByteReader& in, std::uint8_t address) {
  ModuleSnapshot m;
  m.address = address;
  m.link = static_cast<Link>(in.pick(3));
  m.seen = in.boolean();
  m.stale = in.boolean();
  m.age_ms = in.i16();
  const std::uint8_t present = in.u8();
  if (present & 1) {
    bus::Status s;
    s.address = address;
    s.voltage_10mv = in.u16();
    s.current_100ma = in.i16();
    s.rsoc = in.u8();
    s.state = in.u8() & 0x0F;
    s.prev_state = in.u8() & 0x0F;
    const std::uint8_t lines = in.u8();
    s.chg = lines & 1;
    s.dis = lines & 2;
    s.ov = lines & 4;
    s.alive = in.u8() & 0x0F;
    m.status = s;
  }
  if (present & 2) {
    bus::Alarms a;
    a.address = address;
    a.bits = in.u16();
    a.temp_avg_decic = in.i16();
    a.temp_min_c = in.i8();
    a.temp_max_c = in.i8();
    a.cycles = in.u16();
    m.alarms = a;
  }
  if (present & 4) {
    bus::Info i;
    i.address = address;
    i.firmware = in.u16();
    i.nominal_dah = in.u16();
    i.full_dah = in.u16();
    i.cell_blocks = in.u8();
    i.serial_byte = in.u8();
    m.info = i;
  }
  if (present & 8) {
    for (auto& mv : m.cells_mv) mv = in.u16();
  }
  if (present & 16) {
    const int n = in.pick(40);
    for (int k = 0; k < n; ++k) m.cell_temps_c.push_back(in.i8());
  }
  for (auto& c : m.invalid) c = in.u16();
  m.missed_frames = in.u16();
  return m;
}

inline SystemSnapshot make_snapshot(ByteReader& in) {
  SystemSnapshot s;
  s.now_ms = in.u16() * 1000;
  s.revision = in.u16();
  s.model = static_cast<Model>(in.pick(3));
  s.topology = static_cast<Topology>(in.pick(3));
  s.mode = static_cast<SystemMode>(in.pick(4));
  s.configured_modules = in.pick(20);
  s.voltage_v = in.real(0, 500);
  s.current_a = in.real(-200, 200);
  s.rsoc_pct = in.real(0, 100);
  s.rsoc_known = in.boolean();
  s.charge.closed = in.boolean();
  s.discharge.closed = in.boolean();
  if (!s.charge.closed) s.charge.blocked_by.push_back("starting");
  if (!s.discharge.closed) s.discharge.blocked_by.push_back("module_dis_line:2");
  s.limits.cvl_v = in.real(0, 500);
  s.limits.ccl_a = in.real(0, 400);
  s.limits.dcl_a = in.real(0, 800);
  s.limits.dvl_v = in.real(0, 300);
  if (in.boolean()) s.heatsink_c = in.real(-50, 150);
  const std::uint16_t flags = in.u16();
  s.starting = flags & (1u << 0);
  s.comm_error = flags & (1u << 1);
  s.no_module = flags & (1u << 2);
  s.ov_error = flags & (1u << 3);
  s.discharge_error = flags & (1u << 4);
  s.off_mode = flags & (1u << 5);
  s.maintenance = flags & (1u << 6);
  s.host_disconnect = flags & (1u << 7);
  s.overcurrent_charge = flags & (1u << 8);
  s.overcurrent_discharge = flags & (1u << 9);
  s.heatsink_trip = flags & (1u << 10);
  s.balance_fail = flags & (1u << 11);
  s.power_hold = flags & (1u << 12);
  s.topology_error = static_cast<TopologyError>(in.pick(8));
  s.topology_address = in.pick(17) - 1;
  s.ctrl_mode = in.pick(3);
  if (in.boolean()) s.errors.push_back({"comm_error", "COMM ERROR", s.now_ms});
  // Modules: a bit mask of present addresses, then each one's contents.
  const std::uint16_t mask = in.u16();
  for (int a = 0; a < bus::kMaxModules; ++a) {
    if (mask & (1u << a))
      s.modules[a] = make_module(in, static_cast<std::uint8_t>(a));
    else
      s.modules[a].address = static_cast<std::uint8_t>(a);
  }
  s.modules_connected = in.pick(17);
  s.modules_lost = in.pick(17);
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const char c = s.modules[a].link == Link::connected ? 'O'
                   : s.modules[a].link == Link::lost    ? 'X'
                                                        : '-';
    s.con_map[15 - a] = c;
  }
  return s;
}

}  // namespace essd::fuzz
