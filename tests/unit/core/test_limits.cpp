// SPDX-License-Identifier: MIT
// Host limits, auto shut-down, overcurrent timing, balance pre-check,
// snapshot/CTRL details.
#include "core_rig.hpp"

namespace essd::core::test {
namespace {

HostLimits limits_of(Rig& r) {
  return r.ctl.snapshot(r.now).limits;
}

TEST(Limits, ParallelFigures) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 3);
  EXPECT_NEAR(limits_of(r).cvl_v, 57.6, 1e-9);  // never 0, one module's worth
  EXPECT_NEAR(limits_of(r).dvl_v, 32.0, 1e-9);
  EXPECT_EQ(limits_of(r).ccl_a, 0.0);
  r.connect();
  const auto l = limits_of(r);
  EXPECT_NEAR(l.cvl_v, 57.6, 1e-9);
  EXPECT_NEAR(l.dvl_v, 32.0, 1e-9);
  EXPECT_NEAR(l.ccl_a, 50.0, 1e-9);  // min(3 * 24, 50)
  EXPECT_NEAR(l.dcl_a, 50.0, 1e-9);  // min(3 * 50, 50)
}

TEST(Limits, Ij1002cTwoModules) {
  Rig r(make_config(Model::ij1002c, Topology::parallel), 2);
  r.connect();
  EXPECT_NEAR(limits_of(r).ccl_a, 48.0, 1e-9);
  EXPECT_NEAR(limits_of(r).dcl_a, 100.0, 1e-9);
}

TEST(Limits, SeriesAndSeriesParallelVoltages) {
  Rig s(make_config(Model::ij4001c, Topology::series), 5);
  s.connect();
  EXPECT_NEAR(limits_of(s).cvl_v, 5 * 57.6, 1e-9);
  EXPECT_NEAR(limits_of(s).dvl_v, 5 * 32.0, 1e-9);
  EXPECT_NEAR(limits_of(s).ccl_a, 24.0, 1e-9);
  EXPECT_NEAR(limits_of(s).dcl_a, 50.0, 1e-9);
  Rig sp(make_config(Model::ij4001c, Topology::series_parallel), 6);
  sp.connect();
  EXPECT_NEAR(limits_of(sp).cvl_v, 3 * 57.6, 1e-9);
  EXPECT_NEAR(limits_of(sp).ccl_a, 48.0, 1e-9);
  EXPECT_NEAR(limits_of(sp).dcl_a, 50.0, 1e-9);
}

TEST(Limits, ConfiguredPerModuleFigures) {
  CoreConfig cfg = make_config(Model::ij1002c, Topology::parallel);
  cfg.limits.charge_voltage_per_module = 56.8;
  cfg.limits.discharge_voltage_per_module = 44.0;
  cfg.limits.charge_current_per_module = 10;
  cfg.limits.discharge_current_per_module = 20;
  Rig r(cfg, 2);
  r.connect();
  const auto l = limits_of(r);
  EXPECT_NEAR(l.cvl_v, 56.8, 1e-9);
  EXPECT_NEAR(l.dvl_v, 44.0, 1e-9);
  EXPECT_NEAR(l.ccl_a, 20.0, 1e-9);
  EXPECT_NEAR(l.dcl_a, 40.0, 1e-9);
}

TEST(Limits, ZeroingAndDerating) {
  Rig r(make_config(Model::ij1002c, Topology::parallel), 2);
  r.connect();
  ASSERT_NEAR(limits_of(r).ccl_a, 48.0, 1e-9);
  // Charge Terminate / Charge Suspend reported.
  r.mods[0].state = bus::kChargeTerminate;
  r.period();
  EXPECT_EQ(limits_of(r).ccl_a, 0.0);
  r.mods[0].state = bus::kChargeSuspend;
  r.period();
  EXPECT_EQ(limits_of(r).ccl_a, 0.0);
  r.mods[0].state = bus::kStandby;
  r.mods[0].alarm_bits = bus::kAlarmChargeTerminate;
  r.period();
  EXPECT_EQ(limits_of(r).ccl_a, 0.0);
  r.mods[0].alarm_bits = 0;
  r.period();
  EXPECT_NEAR(limits_of(r).ccl_a, 48.0, 1e-9);
  // Charge outside 0-45 degC.
  r.mods[1].temp_min_c = -1;
  r.period();
  EXPECT_EQ(limits_of(r).ccl_a, 0.0);
  EXPECT_NEAR(limits_of(r).dcl_a, 100.0, 1e-9);
  r.mods[1].temp_min_c = 0;
  r.mods[1].temp_max_c = 45;
  r.period();
  EXPECT_NEAR(limits_of(r).ccl_a, 48.0, 1e-9);
  // Above 40 degC: discharge derated to 24 A per module.
  r.mods[1].temp_max_c = 41;
  r.period();
  EXPECT_NEAR(limits_of(r).dcl_a, 48.0, 1e-9);
  r.mods[1].temp_max_c = 46;
  r.period();
  EXPECT_EQ(limits_of(r).ccl_a, 0.0);
  EXPECT_NEAR(limits_of(r).dcl_a, 48.0, 1e-9);
  r.mods[1].temp_max_c = 61;
  r.period();
  EXPECT_EQ(limits_of(r).dcl_a, 0.0);
  r.mods[1].temp_max_c = 25;
  r.mods[1].temp_min_c = -21;
  r.period();
  EXPECT_EQ(limits_of(r).dcl_a, 0.0);
  r.mods[1].temp_min_c = 20;
  r.period();
  // Not permitted: a module's DIS line.
  r.mods[1].dis = false;
  r.period();
  EXPECT_EQ(limits_of(r).dcl_a, 0.0);
  EXPECT_NEAR(limits_of(r).ccl_a, 48.0, 1e-9);
  EXPECT_NEAR(limits_of(r).cvl_v, 57.6, 1e-9);
}

TEST(AutoShutdown, AfterSixtySecondsWithoutCharging) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.connect();
  r.mods[0].state = bus::kOverDischarge;
  r.mods[0].voltage_v = 45.0;
  r.mods[0].current_a = 0.5;  // not above +0.5 A: no charging
  r.period();
  const MonoMs set_at = r.now;
  ASSERT_TRUE(r.ctl.latches().discharge_error);
  r.ctl.take_events();
  while (r.now < set_at + 59900) r.period();
  EXPECT_TRUE(r.ctl.power_hold());
  r.period();  // 60 s
  EXPECT_FALSE(r.ctl.power_hold());
  EXPECT_EQ(r.events_of("auto_shutdown").size(), 1u);
  EXPECT_TRUE(r.ctl.take_ctrl_request());
  EXPECT_EQ(r.ctl.next_ctrl().mode, bus::kCtrlShutdown);
  const auto s = r.ctl.snapshot(r.now);
  EXPECT_EQ(s.mode, SystemMode::shutdown);
  EXPECT_FALSE(s.power_hold);
  EXPECT_FALSE(s.charge.closed);
  // Stays until restart, even when the latch clears.
  r.mods[0].state = bus::kStandby;
  r.mods[0].voltage_v = 50.0;
  r.run_ms(1000);
  EXPECT_FALSE(r.ctl.power_hold());
  EXPECT_EQ(r.ctl.next_ctrl().mode, bus::kCtrlShutdown);
}

TEST(AutoShutdown, ChargingCurrentRestartsTheWindow) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.connect();
  r.mods[0].state = bus::kOverDischarge;
  r.mods[0].voltage_v = 45.0;
  r.period();
  r.run_ms(30000);
  r.mods[0].current_a = 0.6;  // charging
  r.period();
  const MonoMs charged_at = r.now;
  r.mods[0].current_a = 0;
  while (r.now < charged_at + 59900) r.period();
  EXPECT_TRUE(r.ctl.power_hold());
  r.period();
  EXPECT_FALSE(r.ctl.power_hold());
}

TEST(AutoShutdown, ConfiguredDuration) {
  CoreConfig cfg = make_config(Model::ij1001c, Topology::parallel);
  cfg.limits.auto_shutdown_s = 10;
  Rig r(cfg, 1);
  r.connect();
  r.mods[0].alarm_bits = bus::kAlarmUnderVoltage;
  r.period();
  const MonoMs set_at = r.now;
  while (r.now < set_at + 9900) r.period();
  EXPECT_TRUE(r.ctl.power_hold());
  r.period();
  EXPECT_FALSE(r.ctl.power_hold());
}

struct OcRig : Rig {
  OcRig() : Rig(make_config(Model::ij1001c, Topology::parallel), 2) { connect(); }
  void set_system_current(double a) {
    for (auto& m : mods) m.current_a = a / 2;
  }
};

TEST(Overcurrent, InstantAbove110Percent) {
  OcRig r;
  r.set_system_current(55.2);  // > 55 A
  r.ctl.on_frame(r.mods[0].status(), r.now + 1);
  r.ctl.on_frame(r.mods[1].status(), r.now + 2);
  EXPECT_FALSE(r.ctl.charge_closed());
  EXPECT_TRUE(r.ctl.discharge_closed());
  const auto s = r.ctl.snapshot(r.now + 2);
  EXPECT_TRUE(s.overcurrent_charge);
  EXPECT_EQ(s.errors.front().text, "OVERCURRENT CHG");
}

TEST(Overcurrent, AboveRatingOnThreeTicks) {
  OcRig r;
  r.set_system_current(-52.0);  // beyond 50 A, below 55 A
  r.period();
  r.period();
  EXPECT_TRUE(r.ctl.discharge_closed());
  r.period();  // third tick
  EXPECT_FALSE(r.ctl.discharge_closed());
  EXPECT_TRUE(r.ctl.charge_closed());
  EXPECT_TRUE(r.blocked(false, "overcurrent"));
  EXPECT_EQ(r.events_of("overcurrent_trip").size(), 1u);
}

TEST(Overcurrent, TwoTicksThenNormalResetsTheCount) {
  OcRig r;
  r.set_system_current(-52.0);
  r.period();
  r.period();
  r.set_system_current(-40.0);
  r.period();
  r.set_system_current(-52.0);
  r.period();
  r.period();
  EXPECT_TRUE(r.ctl.discharge_closed());
}

TEST(Overcurrent, RecloseAfterHoldoffWithoutOvercurrent) {
  OcRig r;
  r.set_system_current(-60.0);
  r.period();
  ASSERT_FALSE(r.ctl.discharge_closed());
  r.set_system_current(-51.0);  // still above the rating: holdoff not running
  r.run_ms(5000);
  const MonoMs last_over = r.now;
  r.set_system_current(-10.0);
  while (r.now < last_over + 9900) r.period();
  EXPECT_FALSE(r.ctl.discharge_closed());
  r.period();  // 10 s since the last period above the rating
  EXPECT_TRUE(r.ctl.discharge_closed());
  EXPECT_EQ(r.events_of("overcurrent_clear").size(), 1u);
}

TEST(Balance, FailsAtStartAndPassesWhenInBand) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.mods[1].rsoc = 64;  // 4 points off
  r.connect();
  EXPECT_FALSE(r.ctl.charge_closed());
  EXPECT_TRUE(r.blocked(true, "balance"));
  EXPECT_TRUE(r.blocked(false, "balance"));
  EXPECT_EQ(r.ctl.snapshot(r.now).errors.back().text, "BALANCE CHECK");
  EXPECT_EQ(r.events_of("balance_fail").size(), 1u);
  r.run_ms(500);
  EXPECT_TRUE(r.events_of("balance_fail").empty());  // one event per failure
  r.mods[1].rsoc = 63;
  r.ctl.on_frame(r.mods[1].status(), r.now + 1);  // re-evaluated on every frame
  EXPECT_TRUE(r.ctl.charge_closed());
  EXPECT_EQ(r.events_of("balance_pass").size(), 1u);
  // Passed: not checked again until a (re)connect.
  r.mods[1].rsoc = 80;
  r.run_ms(300);
  EXPECT_TRUE(r.ctl.charge_closed());
}

TEST(Balance, VoltageSpread) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.mods[0].voltage_v = 53.0;
  r.mods[1].voltage_v = 53.51;
  r.connect();
  EXPECT_TRUE(r.blocked(true, "balance"));
  r.mods[1].voltage_v = 53.5;
  r.period();
  EXPECT_TRUE(r.ctl.charge_closed());
}

TEST(Balance, RecheckedOnReconnect) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.connect();
  ASSERT_TRUE(r.ctl.charge_closed());
  r.muted = {1};
  r.run_ms(600);
  r.mods[1].voltage_v = 54.0;
  r.muted.clear();
  r.run_ms(1000);
  EXPECT_TRUE(r.blocked(true, "balance"));
}

TEST(Balance, PairsOnlyInSeriesParallelNotInSeries) {
  Rig sp(make_config(Model::ij4001c, Topology::series_parallel), 4);
  sp.mods[2].rsoc = 80;  // pair 1: 80 vs 60 fails
  sp.mods[3].rsoc = 80;
  sp.mods[1].rsoc = 60;
  sp.connect();
  EXPECT_TRUE(sp.ctl.charge_closed());  // each pair is in band
  Rig sp2(make_config(Model::ij4001c, Topology::series_parallel), 4);
  sp2.mods[3].rsoc = 80;
  sp2.connect();
  EXPECT_TRUE(sp2.blocked(true, "balance"));
  Rig s(make_config(Model::ij4001c, Topology::series), 2);
  s.mods[1].rsoc = 90;
  s.connect();
  EXPECT_TRUE(s.ctl.charge_closed());
}

}  // namespace
}  // namespace essd::core::test
