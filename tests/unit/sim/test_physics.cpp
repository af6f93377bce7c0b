// SPDX-License-Identifier: MIT
// Physics sanity of the simulator: OCV curve, coulomb counting against the
// reported RSOC, CC-CV tapering, paths, thermal models.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/battery.hpp"
#include "sim/power.hpp"
#include "sim_harness.hpp"

namespace essd::sim {
namespace {

using test::Harness;
using test::messages;

TEST(Ocv, StrictlyIncreasingAndInLfpRange) {
  double prev = lfp_ocv(-0.05);
  for (int i = -49; i <= 1050; ++i) {
    const double v = lfp_ocv(i / 1000.0);
    EXPECT_GT(v, prev) << "soc " << i / 1000.0;
    prev = v;
  }
  EXPECT_NEAR(lfp_ocv(0.5), 3.30, 0.05);  // LFP plateau
  EXPECT_LT(lfp_ocv(0.0), 2.6);
  EXPECT_GT(lfp_ocv(1.0), 3.5);
}

TEST(Power, ParallelSplitFollowsResistanceAndSumsToTotal) {
  std::vector<Branch> br{{52.0, 0.05, true, 0}, {52.0, 0.10, true, 0}, {52.0, 0.05, false, 0}};
  PowerInputs in;
  in.discharge_path = true;
  in.load_a = 30;
  const auto r = solve_power(br, in);
  EXPECT_DOUBLE_EQ(r.battery_a, -30);
  EXPECT_NEAR(r.branch_a[0], -20, 1e-9);  // half the resistance, twice the current
  EXPECT_NEAR(r.branch_a[1], -10, 1e-9);
  EXPECT_EQ(r.branch_a[2], 0);
}

TEST(Power, SeriesStringOpenWhenOnePositionDoesNotConduct) {
  std::vector<Branch> br{{52.0, 0.05, true, 0}, {52.0, 0.05, false, 1}};
  PowerInputs in;
  in.groups = 2;
  in.discharge_path = in.charge_path = true;
  in.load_a = 10;
  const auto r = solve_power(br, in);
  EXPECT_EQ(r.battery_a, 0);
  EXPECT_EQ(r.branch_a[0], 0);
}

TEST(Power, PathsGateTheDirection) {
  std::vector<Branch> br{{52.0, 0.05, true, 0}};
  PowerInputs in;
  in.charger_on = true;
  in.charger_cc_a = 24;
  EXPECT_EQ(solve_power(br, in).battery_a, 0);  // charge path open
  in.charge_path = true;
  EXPECT_DOUBLE_EQ(solve_power(br, in).battery_a, 24);
  in.load_a = 30;                               // charger covers 24 of 30 A; the battery the rest
  EXPECT_EQ(solve_power(br, in).battery_a, 0);  // discharge path open
  in.discharge_path = true;
  EXPECT_DOUBLE_EQ(solve_power(br, in).battery_a, -6);
}

TEST(Physics, ChargeInMatchesRsocTimesCapacity) {
  SimOptions o;
  o.modules = 2;
  o.initial_soc_pct = 30;
  o.speed = 10;  // 1 bus second = 10 simulated seconds
  Harness h(o);
  h.charge = true;
  h.run(2000);
  const double rsoc0 = h.sim.module(0).rsoc, q0 = h.sim.module(0).charge_ah;
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  // Integrate module 0's reported current over its STATUS frames.
  double ah_in = 0;
  for (int k = 0; k < 20; ++k) {
    const auto frames = h.run(10000);
    for (const auto& [t, st] : messages<bus::Status>(frames, 0))
      ah_in += st.current_100ma / 10.0 * 0.1 * o.speed / 3600.0;  // one 100 ms STATUS period
  }
  const auto m = h.sim.module(0);
  EXPECT_GT(ah_in, 10.0);  // 24 A x 2 modules for ~2000 simulated seconds, split evenly-ish
  EXPECT_NEAR(m.charge_ah - q0, ah_in, 0.02 * ah_in);
  EXPECT_NEAR((m.rsoc - rsoc0) * m.full_charge_ah, ah_in, 0.02 * ah_in);
  EXPECT_NEAR(h.sim.battery_current_a(), 48.0, 0.5);  // CC phase
}

TEST(Physics, CcCvTapersNearFullAndTerminates) {
  SimOptions o;
  o.modules = 1;
  o.initial_soc_pct = 90;
  o.speed = 20;
  Harness h(o);
  h.charge = true;
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  h.run(1000);
  EXPECT_NEAR(h.sim.battery_current_a(), 24.0, 0.01);
  double min_seen = 24, prev = 24;
  bool terminated = false, monotone = true;
  for (int k = 0; k < 600 && !terminated; ++k) {
    const auto frames = h.run(1000);
    const double i = h.sim.battery_current_a();
    if (i < prev - 1e-9) min_seen = std::min(min_seen, i);
    if (i > prev + 0.05 && i > 0.1) monotone = false;
    prev = i;
    for (const auto& [t, st] : messages<bus::Status>(frames, 0)) {
      if (st.state == bus::kChargeTerminate) {
        terminated = true;
        EXPECT_FALSE(st.chg);
        EXPECT_TRUE(st.ov);
        EXPECT_GE(st.rsoc, 97);
      }
    }
    h.charge = !terminated;  // the controller opens the charge path
  }
  EXPECT_TRUE(terminated);
  EXPECT_TRUE(monotone);
  EXPECT_LT(min_seen, 2.0);  // tapered well below CC before terminating
  h.run(1000);
  EXPECT_EQ(h.sim.battery_current_a(), 0);
}

TEST(Physics, DefaultChargerHonoursModelRating) {
  Harness h;  // 4 modules: 4 x 24 A would exceed the IJ1001C's 50 A
  h.charge = true;
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  h.run(1000);
  EXPECT_NEAR(h.sim.battery_current_a(), 47.5, 1e-9);  // 95 % of it: a margin for noise
  ASSERT_EQ(h.sim.command("charger on 30"), "ok");
  h.run(100);
  EXPECT_NEAR(h.sim.battery_current_a(), 30.0, 1e-9);
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += h.sim.module(i).current_a;
  EXPECT_NEAR(sum, 30.0, 1e-9);
}

TEST(Physics, PathsOpenMeansNoCurrent) {
  Harness h;
  ASSERT_EQ(h.sim.command("load 30"), "ok");
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  const auto frames = h.run(3000);
  EXPECT_EQ(h.sim.battery_current_a(), 0);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(h.sim.module(i).current_a, 0);
    for (const auto& [t, st] : messages<bus::Status>(frames, i)) EXPECT_EQ(st.current_100ma, 0);
  }
  h.discharge = true;
  ASSERT_EQ(h.sim.command("charger off"), "ok");
  h.run(500);
  EXPECT_NEAR(h.sim.battery_current_a(), -30, 1e-9);
}

TEST(Physics, HeatsinkRisesWithCurrentAndCools) {
  SimOptions o;
  o.speed = 100;
  Harness h(o);
  h.discharge = true;
  ASSERT_EQ(h.sim.command("load 50"), "ok");
  h.run(20000);  // 2000 simulated seconds at the rated current
  EXPECT_NEAR(h.sim.heatsink_c(), 25 + 55, 1.0);
  ASSERT_EQ(h.sim.command("load 0"), "ok");
  h.run(20000);
  EXPECT_NEAR(h.sim.heatsink_c(), 25, 1.0);
  ASSERT_EQ(h.sim.command("heatsink 90"), "ok");
  EXPECT_EQ(h.sim.heatsink_c(), 90);
  ASSERT_EQ(h.sim.command("heatsink auto"), "ok");
  EXPECT_LT(h.sim.heatsink_c(), 30);
}

TEST(Physics, CellsWarmUnderLoadAndDiverge) {
  SimOptions o;
  o.modules = 1;
  o.speed = 50;
  Harness h(o);
  h.discharge = true;
  ASSERT_EQ(h.sim.command("load 40"), "ok");
  h.run(20000);  // 1000 simulated seconds
  const auto m = h.sim.module(0);
  EXPECT_GT(m.max_temp_c, 27);
  EXPECT_GT(m.max_cell_soc - m.min_cell_soc, 0.002);  // capacity spread shows
  EXPECT_LT(m.rsoc, 0.6 - 40.0 * 1000 / 3600 / 24 + 0.02);
}

TEST(Physics, CycleCountAdvancesWithDischargedCapacity) {
  SimOptions o;
  o.modules = 1;
  o.initial_soc_pct = 100;
  o.speed = 200;
  Harness h(o);
  const int c0 = h.sim.module(0).cycles;
  h.discharge = h.charge = true;
  // Discharge most of it, charge, discharge again: > 24 Ah discharged in total.
  ASSERT_EQ(h.sim.command("load 40"), "ok");
  h.run(9000);  // 1800 s x 40 A = 20 Ah
  ASSERT_EQ(h.sim.command("load 0"), "ok");
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  h.run(9000);
  ASSERT_EQ(h.sim.command("charger off"), "ok");
  ASSERT_EQ(h.sim.command("load 40"), "ok");
  h.run(5000);
  EXPECT_EQ(h.sim.module(0).cycles, c0 + 1);
}

}  // namespace
}  // namespace essd::sim
