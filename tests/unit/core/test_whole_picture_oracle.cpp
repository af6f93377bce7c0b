// SPDX-License-Identifier: MIT
// Tests of the whole-picture oracle itself, on hand-written histories: the
// oracle must forbid what docs/core.md forbids and allow what a correct
// core may do, or it is no use against the core.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "whole_picture_oracle.hpp"

namespace essd::oracle {
namespace {

// One simulated module: what it sends on every 100 ms step.
struct Mod {
  int addr = 0;
  double volts = 52.0;
  double amps = 0.0;
  int rsoc = 60;
  std::uint8_t state = bus::kNormalDischarge;
  bool chg = true, dis = true, ov = true;
  std::uint16_t alarm_bits = 0;
  std::uint8_t serial = 0;
  bool talks = true;       // sends STATUS and ALARMS
  bool sends_info = true;  // sends INFO once per second
  bool frozen = false;     // alive counter stops
  std::uint8_t alive = 0;
};

bus::Status status_of(Mod& m) {
  bus::Status s;
  s.address = static_cast<std::uint8_t>(m.addr);
  s.voltage_10mv = static_cast<std::uint16_t>(std::lround(m.volts * 100));
  s.current_100ma = static_cast<std::int16_t>(std::lround(m.amps * 10));
  s.rsoc = static_cast<std::uint8_t>(m.rsoc);
  s.state = m.state;
  s.chg = m.chg;
  s.dis = m.dis;
  s.ov = m.ov;
  if (!m.frozen) m.alive = static_cast<std::uint8_t>((m.alive + 1) % 16);
  s.alive = m.alive;
  return s;
}
bus::Alarms alarms_of(const Mod& m) {
  bus::Alarms a;
  a.address = static_cast<std::uint8_t>(m.addr);
  a.bits = m.alarm_bits;
  a.temp_min_c = 24;
  a.temp_max_c = 27;
  return a;
}
bus::Info info_of(const Mod& m) {
  bus::Info i;
  i.address = static_cast<std::uint8_t>(m.addr);
  i.nominal_dah = 240;
  i.full_dah = 230;
  i.serial_byte = m.serial;
  return i;
}

// A bus of modules stepping in 100 ms rounds, fed to the oracle with a tick
// after every round. INFO goes out in round (address mod 10) of each second.
class Rig {
 public:
  explicit Rig(core::CoreConfig cfg = {}, bool ov_latch = false, bool dis_latch = false)
      : o(cfg, 0, ov_latch, dis_latch) {}

  Mod& add(int addr) {
    mods.push_back(Mod{});
    mods.back().addr = addr;
    mods.back().serial = static_cast<std::uint8_t>(0xA0 + addr);
    return mods.back();
  }
  Mod& mod(int addr) {
    return *std::find_if(mods.begin(), mods.end(), [&](const Mod& m) { return m.addr == addr; });
  }
  void step() {
    now += 100;
    const int round = static_cast<int>((now / 100) % 10);
    for (Mod& m : mods) {
      if (m.talks) {
        o.on_message(status_of(m), now);
        o.on_message(alarms_of(m), now);
      }
      if (m.talks && m.sends_info && round == m.addr % 10) o.on_message(info_of(m), now);
    }
    o.tick(now);
  }
  void run_for(MonoMs ms) {
    const MonoMs until = now + ms;
    while (now < until) step();
  }
  bool charge() const { return o.charge(now).may_close; }
  bool discharge() const { return o.discharge(now).may_close; }
  std::string why_charge() const { return join(o.charge(now).why_not); }
  std::string why_discharge() const { return join(o.discharge(now).why_not); }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += x + " | ";
    return s;
  }

  WholePictureOracle o;
  std::vector<Mod> mods;
  MonoMs now = 0;
};

core::CoreConfig config(Model model, Topology topo, int expected = 0) {
  core::CoreConfig c;
  c.model = model;
  c.topology = topo;
  c.expected_modules = expected;
  return c;
}

// Feeds one module's three frames at `at` directly.
void connect_now(WholePictureOracle& o, Mod& m, MonoMs at) {
  o.on_message(status_of(m), at);
  o.on_message(alarms_of(m), at);
  o.on_message(info_of(m), at);
}

TEST(WholePictureOracle, NothingClosesAtStart) {
  Rig r;
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  EXPECT_NE(r.why_charge().find("no module connected"), std::string::npos);
}

TEST(WholePictureOracle, ModuleTalkingWithoutInfoKeepsBothOpen) {
  Rig r;
  r.add(0);
  r.add(1).sends_info = false;
  r.run_for(3000);
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  EXPECT_NE(r.why_charge().find("module 1 talking but not connected"), std::string::npos)
      << r.why_charge();
  r.mod(1).sends_info = true;
  r.run_for(1000);  // module 1's INFO arrives: connected, but its window is open
  EXPECT_FALSE(r.charge()) << "a new module counts only after one INFO period";
  r.run_for(1100);
  EXPECT_TRUE(r.charge()) << r.why_charge();
  EXPECT_TRUE(r.discharge()) << r.why_discharge();
}

TEST(WholePictureOracle, DuplicateWindowIsOneInfoPeriodFromTheFirstInfo) {
  WholePictureOracle o({}, 0, false, false);
  Mod m;
  connect_now(o, m, 100);
  for (MonoMs t = 200; t <= 1000; t += 100) o.on_message(status_of(m), t);
  o.advance(1099);
  EXPECT_FALSE(o.charge(1099).may_close);
  o.advance(1100);
  EXPECT_TRUE(o.charge(1100).may_close) << Rig::join(o.charge(1100).why_not);
}

TEST(WholePictureOracle, DuplicateSerialsAtOneAddressAreATopologyError) {
  Rig r;
  r.add(0);
  r.run_for(2500);
  ASSERT_TRUE(r.charge());
  bus::Info twin = info_of(r.mod(0));
  twin.serial_byte = 0x55;
  r.o.on_message(twin, r.now + 10);
  EXPECT_FALSE(r.o.charge(r.now + 10).may_close);
  EXPECT_NE(Rig::join(r.o.charge(r.now + 10).why_not).find("duplicate address 0"),
            std::string::npos);
}

TEST(WholePictureOracle, FewerThanConfiguredKeepsBothOpen) {
  Rig r(config(Model::ij1001c, Topology::parallel, 3));
  r.add(0);
  r.add(1);
  r.run_for(3000);
  EXPECT_FALSE(r.charge());
  EXPECT_NE(r.why_charge().find("fewer than the configured 3"), std::string::npos)
      << r.why_charge();
  r.add(2);
  r.run_for(2100);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

// Two modules connected, balanced, past the window: both paths may close.
Rig running_pair(core::CoreConfig cfg = {}) {
  Rig r(cfg);
  r.add(0);
  r.add(1);
  r.run_for(2500);
  return r;
}

TEST(WholePictureOracle, AllConnectedAndBalancedMayClose) {
  Rig r = running_pair();
  EXPECT_TRUE(r.charge()) << r.why_charge();
  EXPECT_TRUE(r.discharge()) << r.why_discharge();
}

TEST(WholePictureOracle, BalancePreCheckBlocksUntilItPassesThenIsNotRechecked) {
  Rig r;
  r.add(0).rsoc = 50;
  r.add(1).rsoc = 60;
  r.run_for(3000);
  EXPECT_FALSE(r.charge());
  EXPECT_NE(r.why_charge().find("RSOC spread 10 %"), std::string::npos) << r.why_charge();
  r.mod(1).rsoc = 53;  // within 3 points: re-evaluated on every frame, passes
  r.run_for(100);
  EXPECT_TRUE(r.charge()) << r.why_charge();
  r.mod(1).rsoc = 70;  // once passed, not checked again until a (re)connect
  r.run_for(500);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracle, BalanceVoltageSpreadAtMostHalfAVolt) {
  Rig r;
  r.add(0).volts = 52.00;
  r.add(1).volts = 52.51;
  r.run_for(3000);
  EXPECT_FALSE(r.charge());
  r.mod(1).volts = 52.50;
  r.run_for(100);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracle, BalanceIsNotAppliedInSeries) {
  Rig r(config(Model::ij4001c, Topology::series));
  r.add(0).rsoc = 20;
  r.add(1).rsoc = 90;
  r.run_for(2500);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracle, BalanceInSeriesParallelIsPerPair) {
  Rig r(config(Model::ij4001c, Topology::series_parallel));
  r.add(0).rsoc = 20;
  r.add(1).rsoc = 21;
  r.add(2).rsoc = 90;
  r.add(3).rsoc = 90;
  r.run_for(2500);
  EXPECT_TRUE(r.charge()) << r.why_charge();
  Rig u(config(Model::ij4001c, Topology::series_parallel));
  u.add(0).rsoc = 20;
  u.add(1).rsoc = 21;
  u.add(2).rsoc = 90;
  u.add(3).rsoc = 80;
  u.run_for(2500);
  EXPECT_FALSE(u.charge());
}

TEST(WholePictureOracle, JoinMidRunBlocksAtOnceAndRechecksBalance) {
  Rig r = running_pair();
  ASSERT_TRUE(r.charge());
  r.add(2).sends_info = false;
  r.step();  // its first STATUS: talking, not connected
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  r.mod(2).sends_info = true;
  r.mod(2).rsoc = 80;
  r.run_for(2500);
  EXPECT_FALSE(r.charge()) << "the join re-runs the balance pre-check";
  r.mod(2).rsoc = 60;
  r.step();
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracle, LossIsDeclaredWhenTheTimeoutRunsOutNotAtATick) {
  Rig r = running_pair();
  r.mod(1).talks = false;
  r.step();  // module 1's last STATUS was one round earlier
  const MonoMs last = r.now - 100;
  r.o.advance(last + 500);
  EXPECT_TRUE(r.o.charge(last + 500).may_close) << "at exactly the timeout: lenient";
  r.o.advance(last + 501);
  EXPECT_FALSE(r.o.charge(last + 501).may_close);
  EXPECT_NE(Rig::join(r.o.charge(last + 501).why_not).find("module 1 lost"), std::string::npos);
}

TEST(WholePictureOracle, LostModuleStaysLostAcrossMaintenanceAndReload) {
  Rig r = running_pair();
  r.mod(1).talks = false;
  r.run_for(1000);
  ASSERT_FALSE(r.charge());
  r.o.set_maintenance(true, r.now);
  r.run_for(500);
  r.o.set_maintenance(false, r.now);
  r.run_for(500);
  EXPECT_FALSE(r.charge());
  EXPECT_NE(r.why_charge().find("module 1 lost"), std::string::npos) << r.why_charge();
  r.o.reconfigure(config(Model::ij1002c, Topology::parallel), r.now);
  r.run_for(500);
  EXPECT_FALSE(r.charge());
  // STATUS alone does not reconnect it; STATUS, ALARMS and INFO afresh do.
  r.mod(1).talks = true;
  r.mod(1).sends_info = false;
  r.run_for(2000);
  EXPECT_FALSE(r.charge());
  r.mod(1).sends_info = true;
  r.run_for(1000);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracle, FrozenAliveCounterLosesTheModule) {
  Rig r = running_pair();
  r.mod(1).frozen = true;
  r.run_for(400);  // four repeats
  EXPECT_TRUE(r.charge()) << r.why_charge();
  r.step();  // the fifth
  EXPECT_FALSE(r.charge());
  EXPECT_NE(r.why_charge().find("module 1 lost"), std::string::npos);
}

TEST(WholePictureOracle, MaintenanceOffModeHostDisconnectAndHardWiredLines) {
  Rig r = running_pair();
  r.o.set_maintenance(true, r.now);
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  r.o.set_maintenance(false, r.now);
  EXPECT_TRUE(r.charge());
  r.o.set_host_disconnect(true, r.now);
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  r.o.set_host_disconnect(false, r.now);
  core::PanelInputs in;
  in.off_mode = true;
  r.o.set_panel_inputs(in, r.now);
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  in = {};
  in.hw_ov = false;
  r.o.set_panel_inputs(in, r.now);
  EXPECT_FALSE(r.charge());
  EXPECT_TRUE(r.discharge());
  in = {};
  in.hw_dis = false;
  in.hw_chg = true;
  r.o.set_panel_inputs(in, r.now);
  EXPECT_TRUE(r.charge());
  EXPECT_FALSE(r.discharge());
}

TEST(WholePictureOracle, ModuleSignalLinesBlockTheirColumn) {
  Rig r = running_pair();
  r.mod(1).ov = false;
  r.step();
  EXPECT_FALSE(r.charge());
  EXPECT_TRUE(r.discharge());
  r.mod(1).ov = true;
  r.mod(0).dis = false;
  r.step();
  EXPECT_TRUE(r.charge());
  EXPECT_FALSE(r.discharge());
  EXPECT_NE(r.why_discharge().find("module 0 DIS line 0"), std::string::npos);
}

TEST(WholePictureOracle, OvLatchClearsOnlyWhenEveryTalkingModuleIsBelow568) {
  Rig r = running_pair();
  r.mod(0).state = bus::kOverVoltage;
  r.mod(0).volts = 58.0;
  r.mod(1).volts = 57.9;
  r.step();
  EXPECT_FALSE(r.o.ov_latch_may_be_clear(r.now));
  EXPECT_FALSE(r.charge());
  EXPECT_TRUE(r.discharge()) << r.why_discharge();
  r.mod(0).state = bus::kNormalDischarge;
  r.mod(0).volts = 56.7;
  r.run_for(500);
  EXPECT_FALSE(r.o.ov_latch_may_be_clear(r.now)) << "module 1 is still above 56.8 V";
  // A third module talks, not connected yet: no latch clears, even once the
  // connected two are below.
  r.add(2).sends_info = false;
  r.mod(2).volts = 56.5;
  r.run_for(300);
  r.mod(1).volts = 56.7;
  r.run_for(500);
  EXPECT_FALSE(r.o.ov_latch_may_be_clear(r.now));
  r.mod(2).sends_info = true;
  r.run_for(2000);
  EXPECT_TRUE(r.o.ov_latch_may_be_clear(r.now));
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracle, DischargeLatchFromAlarmClearsAbove48) {
  Rig r = running_pair();
  r.mod(1).alarm_bits = bus::kAlarmUnderVoltage;
  r.mod(1).volts = 47.0;
  r.step();
  EXPECT_FALSE(r.o.discharge_latch_may_be_clear(r.now));
  EXPECT_FALSE(r.discharge());
  EXPECT_TRUE(r.o.ov_latch_may_be_clear(r.now));
  r.mod(1).alarm_bits = 0;
  r.run_for(500);
  EXPECT_FALSE(r.o.discharge_latch_may_be_clear(r.now)) << "still below 48.0 V";
  r.mod(1).volts = 48.5;
  r.step();
  EXPECT_TRUE(r.o.discharge_latch_may_be_clear(r.now));
}

TEST(WholePictureOracle, RestoredLatchesKeepPathsOpenUntilFreshDataClearsThem) {
  Rig r({}, true, true);
  r.run_for(3000);
  EXPECT_FALSE(r.o.ov_latch_may_be_clear(r.now)) << "no data: nothing to clear from";
  EXPECT_FALSE(r.o.discharge_latch_may_be_clear(r.now));
  r.add(0).volts = 52.0;
  r.run_for(2500);
  EXPECT_TRUE(r.o.ov_latch_may_be_clear(r.now));
  EXPECT_TRUE(r.o.discharge_latch_may_be_clear(r.now));
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracle, InstantOvercurrentAndHoldOff) {
  Rig r = running_pair();  // IJ1001C: 50 A, instant beyond 55 A
  r.mod(0).amps = 30.0;
  r.mod(1).amps = 25.2;  // 55.2 A charging
  r.step();
  EXPECT_FALSE(r.charge());
  EXPECT_TRUE(r.discharge());
  const MonoMs trip = r.now;
  r.mod(0).amps = 0;
  r.mod(1).amps = 0;
  r.run_for(9900);
  EXPECT_FALSE(r.o.charge(trip + 9999).may_close);
  EXPECT_TRUE(r.o.charge(trip + 10000).may_close) << Rig::join(r.o.charge(trip + 10000).why_not);
}

TEST(WholePictureOracle, OvercurrentOnConsecutiveTicksWithOneTickOfLeniency) {
  Rig r = running_pair();
  r.mod(0).amps = -26.0;
  r.mod(1).amps = -26.0;  // 52 A discharging: beyond the rating, not instant
  r.run_for(300);         // three ticks
  EXPECT_TRUE(r.discharge()) << "the 3rd tick is within the oracle's one-tick leniency";
  r.step();
  EXPECT_FALSE(r.discharge());
  EXPECT_TRUE(r.charge());
  r.mod(0).amps = 0;
  r.run_for(2000);
  EXPECT_FALSE(r.discharge()) << "hold-off";
}

TEST(WholePictureOracle, HeatsinkHysteresis) {
  core::CoreConfig c;
  c.heatsink_configured = true;
  Rig r = running_pair(c);
  EXPECT_FALSE(r.charge()) << "no reading yet";
  r.o.set_heatsink(60.0, r.now);
  EXPECT_TRUE(r.charge());
  r.o.set_heatsink(86.0, r.now);
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  r.o.set_heatsink(80.0, r.now);
  EXPECT_FALSE(r.charge()) << "re-closes only below 75";
  r.o.set_heatsink(74.0, r.now);
  EXPECT_TRUE(r.charge());
  r.o.set_heatsink(std::nullopt, r.now);
  EXPECT_FALSE(r.charge()) << "a read error counts as a trip";
}

TEST(WholePictureOracle, TopologyErrors) {
  Rig gap;
  gap.add(0);
  gap.add(2);
  gap.run_for(2500);
  EXPECT_NE(gap.why_charge().find("address gap at 1"), std::string::npos) << gap.why_charge();
  Rig low(config(Model::ij4001c, Topology::series));
  low.add(0).volts = 29.0;
  low.add(1).volts = 30.9;  // 59.9 V < 60 V
  low.run_for(2500);
  EXPECT_NE(low.why_charge().find("outside the operating range"), std::string::npos);
  low.mod(0).volts = 29.1;  // 60.0 V: inside
  low.step();
  EXPECT_TRUE(low.charge()) << low.why_charge();
  Rig odd(config(Model::ij4001c, Topology::series_parallel));
  for (int a = 0; a < 5; ++a) odd.add(a);
  odd.run_for(2500);
  EXPECT_NE(odd.why_charge().find("pair incomplete"), std::string::npos);
  Rig few(config(Model::ij4001c, Topology::series));
  few.add(0).volts = 61.0;
  few.run_for(2500);
  EXPECT_NE(few.why_charge().find("too few modules"), std::string::npos);
  Rig more(config(Model::ij1001c, Topology::parallel, 1));
  more.add(0);
  more.add(1);
  more.run_for(2500);
  EXPECT_NE(more.why_charge().find("count 2 not 1"), std::string::npos);
}

// The LENIENT readings, pinned so that a change to them is deliberate.

TEST(WholePictureOracleLenient, ModuleThatNeverConnectedIsNotLostWhenItFallsSilent) {
  Rig r;
  r.add(0);
  r.add(1).sends_info = false;
  r.run_for(2500);
  ASSERT_FALSE(r.charge());
  r.mod(1).talks = false;
  r.run_for(600);  // no longer talking; it never was connected, so never lost
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracleLenient, ReconnectDoesNotWaitForANewDuplicateWindow) {
  Rig r = running_pair();
  r.mod(1).talks = false;
  r.run_for(1000);
  r.mod(1).talks = true;
  // Module 1's INFO goes out in round 1 of each second.
  while (r.o.charge(r.now).may_close == false && r.now < 10000) r.step();
  const MonoMs reconnected = r.now;
  EXPECT_EQ((reconnected / 100) % 10, 1) << "closes at the INFO that reconnects it";
}

TEST(WholePictureOracleLenient, OnlyAConnectedModulesReportLatches) {
  Rig r;
  r.add(0);
  r.add(1).sends_info = false;
  r.mod(1).state = bus::kOverVoltage;
  r.run_for(2500);
  EXPECT_TRUE(r.o.ov_latch_may_be_clear(r.now));
  r.mod(1).state = bus::kNormalDischarge;
  r.mod(1).sends_info = true;
  r.run_for(2500);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracleLenient, ReportsInMaintenanceDoNotLatch) {
  Rig r = running_pair();
  r.o.set_maintenance(true, r.now);
  r.mod(0).alarm_bits = bus::kAlarmOverVoltage;
  r.step();
  r.mod(0).alarm_bits = 0;
  r.step();
  r.o.set_maintenance(false, r.now);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracleLenient, DuplicateStandsOnlyWhileBothSerialsAreWithinOnePeriod) {
  Rig r;
  r.add(0);
  r.run_for(2500);
  bus::Info twin = info_of(r.mod(0));
  twin.serial_byte = 0x55;
  r.o.on_message(twin, r.now);
  const MonoMs seen = r.now;
  r.step();
  EXPECT_FALSE(r.charge());
  while (r.now < seen + 1000) r.step();  // the twin sent no more INFO
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

TEST(WholePictureOracleLenient, ExactBoundariesMayClose) {
  core::CoreConfig c;
  c.heatsink_configured = true;
  Rig r = running_pair(c);
  r.o.set_heatsink(85.0, r.now);  // "below 85": exactly 85 does not certainly trip
  EXPECT_TRUE(r.charge()) << r.why_charge();
  r.mod(0).amps = 25.0;
  r.mod(1).amps = 30.0;  // exactly 110 % of 50 A: not beyond
  r.step();
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

}  // namespace
}  // namespace essd::oracle
