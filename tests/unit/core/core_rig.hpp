// SPDX-License-Identifier: MIT
#pragma once
// Test rig for the controller core: a small module model that produces real
// bus frames with bus::encode(), and a driver that advances virtual time in
// 100 ms steps the way the daemon does (STATUS + ALARMS every 100 ms, INFO
// every 1000 ms, tick every 100 ms).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/controller.hpp"
#include "core/registry.hpp"
#include "essd/module_bus.hpp"

namespace essd::core::test {

struct ModuleModel {
  std::uint8_t address = 0;
  double voltage_v = 53.0;
  double current_a = 0;
  int rsoc = 60;  // 0xFF = unknown
  std::uint8_t state = bus::kStandby;
  bool chg = true, dis = true, ov = true;
  std::uint8_t alive = 0;
  std::uint16_t alarm_bits = 0;
  int temp_min_c = 20, temp_max_c = 25;
  std::uint16_t full_dah = 240;
  std::uint8_t serial = 0;
  bool freeze_alive = false;

  CanFrame status() {
    bus::Status s;
    s.address = address;
    s.voltage_10mv = static_cast<std::uint16_t>(voltage_v * 100.0 + 0.5);
    s.current_100ma = static_cast<std::int16_t>(current_a * 10.0 + (current_a < 0 ? -0.5 : 0.5));
    s.rsoc = static_cast<std::uint8_t>(rsoc);
    s.state = state;
    s.prev_state = 0;
    s.chg = chg;
    s.dis = dis;
    s.ov = ov;
    s.alive = alive;
    if (!freeze_alive) alive = static_cast<std::uint8_t>((alive + 1) & 0x0F);
    return bus::encode(s);
  }
  CanFrame alarms() const {
    bus::Alarms a;
    a.address = address;
    a.bits = alarm_bits;
    a.temp_avg_decic = static_cast<std::int16_t>((temp_min_c + temp_max_c) * 5);
    a.temp_min_c = static_cast<std::int8_t>(temp_min_c);
    a.temp_max_c = static_cast<std::int8_t>(temp_max_c);
    a.cycles = 12;
    return bus::encode(a);
  }
  CanFrame info() const {
    bus::Info i;
    i.address = address;
    i.firmware = 0x0102;
    i.nominal_dah = 240;
    i.full_dah = full_dah;
    i.serial_byte = serial;
    return bus::encode(i);
  }
};

inline CoreConfig make_config(Model m, Topology t, int expected = 0) {
  CoreConfig c;
  c.model = m;
  c.topology = t;
  c.expected_modules = expected;
  return c;
}

/// Voltage per module that keeps the system inside the model's range.
inline double default_voltage(Model) {
  return 53.0;
}

struct Rig {
  explicit Rig(CoreConfig cfg, int modules, Latches restored = {})
      : config(cfg), ctl(cfg, 0, restored) {
    for (int a = 0; a < modules; ++a) {
      ModuleModel m;
      m.address = static_cast<std::uint8_t>(a);
      m.serial = static_cast<std::uint8_t>(0x10 + a);
      mods.push_back(m);
    }
  }

  /// One 100 ms period: every module sends STATUS and ALARMS (INFO every
  /// tenth period), then the tick.
  void period() {
    now += 100;
    for (auto& m : mods) {
      if (silent(m.address)) continue;
      ctl.on_frame(m.status(), now);
      ctl.on_frame(m.alarms(), now);
      if (period_count % 10 == 0) ctl.on_frame(m.info(), now);
    }
    ++period_count;
    ctl.tick(now);
  }
  void run_ms(MonoMs ms) {
    for (MonoMs t = 0; t < ms; t += 100) period();
  }
  /// Connect every module: the first period carries INFO; then wait until a
  /// duplicate at each address could have shown (Registry::kSettleMs), so
  /// the modules count towards closing.
  void connect() {
    period_count = 0;
    period();
    run_ms(kSettleRunMs);
  }
  static constexpr MonoMs kSettleRunMs = (Registry::kSettleMs + 99) / 100 * 100;
  bool silent(std::uint8_t a) const {
    return std::find(muted.begin(), muted.end(), a) != muted.end();
  }
  bool blocked(bool charge, const std::string& cause) {
    const auto s = ctl.snapshot(now);
    const auto& b = charge ? s.charge.blocked_by : s.discharge.blocked_by;
    return std::find(b.begin(), b.end(), cause) != b.end();
  }
  std::vector<Event> events_of(const std::string& kind) {
    std::vector<Event> out;
    for (auto& e : ctl.take_events())
      if (e.kind == kind) out.push_back(e);
    return out;
  }

  CoreConfig config;
  Controller ctl;
  std::vector<ModuleModel> mods;
  std::vector<std::uint8_t> muted;
  MonoMs now = 0;
  int period_count = 0;
};

}  // namespace essd::core::test
