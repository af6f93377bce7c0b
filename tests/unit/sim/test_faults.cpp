// SPDX-License-Identifier: MIT
// Each injected fault produces what the module-bus spec and the manual's
// signal rules imply.
#include <gtest/gtest.h>

#include <set>

#include "sim_harness.hpp"

namespace essd::sim {
namespace {

using test::count_from;
using test::Harness;
using test::messages;

/// A harness past boot, with the controller's paths as given.
Harness booted(bool charge = true, bool discharge = true) {
  Harness h;
  h.charge = charge;
  h.discharge = discharge;
  h.run(1000);
  return h;
}

TEST(Faults, DropSilencesAddressUntilRestore) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("drop 3"), "ok");
  auto frames = h.run(2000);
  EXPECT_EQ(count_from(frames, 3), 0u);
  EXPECT_GT(count_from(frames, 2), 0u);
  EXPECT_FALSE(h.sim.module(3).conducting);  // it hears no CTRL either
  ASSERT_EQ(h.sim.command("restore 3"), "ok");
  frames = h.run(1000);
  EXPECT_FALSE(messages<bus::Status>(frames, 3).empty());
  EXPECT_TRUE(h.sim.module(3).conducting);
}

TEST(Faults, FreezeHoldsAliveCounter) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("freeze 2"), "ok");
  const auto st = messages<bus::Status>(h.run(1000), 2);
  ASSERT_GE(st.size(), 9u);
  for (const auto& [t, s] : st) EXPECT_EQ(s.alive, st.front().second.alive);
}

TEST(Faults, GarbageFramesDecodeInvalid) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("garbage 1"), "ok");
  const auto frames = h.run(2000);
  std::size_t n = 0;
  std::set<bus::DecodeError> reasons;
  for (const auto& f : frames) {
    const auto r = bus::decode(f.frame);
    if (r.address != 1) {
      EXPECT_TRUE(r.ok());
      continue;
    }
    ++n;
    EXPECT_FALSE(r.ok()) << format_frame(f.frame);
    reasons.insert(r.error);
  }
  EXPECT_GE(n, 40u);
  EXPECT_GE(reasons.size(), 4u);  // several spec'd reasons
}

TEST(Faults, OverVoltage) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("ov 0"), "ok");
  const auto st = messages<bus::Status>(h.run(300), 0);
  const auto al = messages<bus::Alarms>(h.run(200), 0);
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(st.back().second.state, bus::kOverVoltage);
  EXPECT_FALSE(st.back().second.ov);
  EXPECT_FALSE(st.back().second.chg);
  EXPECT_TRUE(st.back().second.dis);
  EXPECT_TRUE(al.back().second.bits & bus::kAlarmOverVoltage);
  for (const auto& [t, cv] : messages<bus::CellVoltages>(h.run(1000), 0)) {
    EXPECT_EQ(cv.mv[0], 3800);
  }
  EXPECT_GT(messages<bus::Status>(h.run(100), 0).back().second.voltage_10mv, 6000);
  ASSERT_EQ(h.sim.command("restore 0"), "ok");
  const auto after = messages<bus::Status>(h.run(300), 0);
  EXPECT_NE(after.back().second.state, bus::kOverVoltage);
  EXPECT_EQ(after.back().second.prev_state, bus::kOverVoltage);
  EXPECT_TRUE(after.back().second.ov);
}

TEST(Faults, OverDischarge) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("overdischarge 0"), "ok");
  h.run(200);
  const auto st = messages<bus::Status>(h.run(200), 0).back().second;
  const auto al = messages<bus::Alarms>(h.run(200), 0).back().second;
  EXPECT_EQ(st.state, bus::kOverDischarge);
  EXPECT_FALSE(st.dis);
  EXPECT_TRUE(st.chg);  // it must be possible to recharge it
  EXPECT_TRUE(al.bits & bus::kAlarmUnderVoltage);
}

TEST(Faults, OverTemperature) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("overtemp 1"), "ok");
  h.run(200);
  const auto st = messages<bus::Status>(h.run(200), 1).back().second;
  const auto al = messages<bus::Alarms>(h.run(200), 1).back().second;
  EXPECT_EQ(st.state, bus::kOverTempDischarge);
  EXPECT_FALSE(st.chg);
  EXPECT_FALSE(st.dis);
  EXPECT_FALSE(st.ov);
  EXPECT_TRUE(al.bits & bus::kAlarmOverTemp);
  EXPECT_GT(al.temp_max_c, 60);
}

TEST(Faults, OverCurrentBothDirections) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("overcurrent 1"), "ok");
  h.run(500);
  auto st = messages<bus::Status>(h.run(200), 1).back().second;
  EXPECT_EQ(st.state, bus::kOverCurrentDischarge);
  EXPECT_EQ(st.current_100ma, -600);
  EXPECT_FALSE(st.dis);
  EXPECT_TRUE(st.chg);
  EXPECT_TRUE(messages<bus::Alarms>(h.run(100), 1).back().second.bits & bus::kAlarmOverCurrent);
  ASSERT_EQ(h.sim.command("overcurrent 2 charge"), "ok");
  h.run(500);
  st = messages<bus::Status>(h.run(200), 2).back().second;
  EXPECT_EQ(st.state, bus::kOverCurrentCharge);
  EXPECT_FALSE(st.chg);
  EXPECT_FALSE(st.ov);
  EXPECT_TRUE(st.dis);
  // Restored: the trip holds 10 s, then clears.
  ASSERT_EQ(h.sim.command("restore 2"), "ok");
  EXPECT_EQ(messages<bus::Status>(h.run(5000), 2).back().second.state, bus::kOverCurrentCharge);
  EXPECT_TRUE(messages<bus::Status>(h.run(6000), 2).back().second.chg);
}

TEST(Faults, DuplicateAddressTwoSerials) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("duplicate 2"), "ok");
  const auto frames = h.run(1000);
  const auto info = messages<bus::Info>(frames, 2);
  ASSERT_EQ(info.size(), 2u);
  EXPECT_NE(info[0].second.serial_byte, info[1].second.serial_byte);
  EXPECT_EQ(count_from(frames, 3), 0u);  // module 3 moved onto 2
  ASSERT_EQ(h.sim.command("restore 2"), "ok");
  EXPECT_EQ(messages<bus::Info>(h.run(1000), 3).size(), 1u);
}

TEST(Faults, AddressGap) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("gap 1"), "ok");
  const auto frames = h.run(1000);
  EXPECT_EQ(count_from(frames, 1), 0u);
  EXPECT_FALSE(messages<bus::Status>(frames, 4).empty());
}

TEST(Faults, CellImbalance) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("imbalance 3"), "ok");
  const auto frames = h.run(1000);
  const auto st = messages<bus::Status>(frames, 3).back().second;
  EXPECT_EQ(st.state, bus::kCellUnbalance);
  EXPECT_FALSE(st.chg);
  EXPECT_TRUE(messages<bus::Alarms>(frames, 3).back().second.bits & bus::kAlarmCellUnbalance);
  for (const auto& [t, cv] : messages<bus::CellVoltages>(frames, 3)) {
    if (cv.index == 3) {
      EXPECT_LT(cv.mv[2], 3000);  // block 5
    }
  }
}

TEST(Faults, NoiseMovesMeasurementsOnly) {
  Harness h = booted();
  const auto quiet = messages<bus::Status>(h.run(1000), 0);
  for (const auto& [t, s] : quiet) EXPECT_EQ(s.voltage_10mv, quiet.front().second.voltage_10mv);
  ASSERT_EQ(h.sim.command("noise 0.05"), "ok");
  const auto noisy = messages<bus::Status>(h.run(1000), 0);
  std::set<int> v;
  for (const auto& [t, s] : noisy) v.insert(s.voltage_10mv);
  EXPECT_GT(v.size(), 3u);
  EXPECT_EQ(h.sim.module(0).current_a, 0);
}

TEST(Faults, BusSilence) {
  Harness h = booted();
  ASSERT_EQ(h.sim.command("silence 2000"), "ok");
  EXPECT_TRUE(h.run(2000).empty());
  EXPECT_FALSE(h.run(200).empty());
}

TEST(Faults, BadCommandsAnswerErrors) {
  Harness h = booted();
  EXPECT_EQ(h.sim.command("drop 9"), "error no module 9");
  EXPECT_EQ(h.sim.command("drop"), "error drop: expected one module address 0-15");
  EXPECT_EQ(h.sim.command("fly 1").rfind("error unknown command", 0), 0u);
  EXPECT_EQ(h.sim.command("load -3").rfind("error", 0), 0u);
  EXPECT_EQ(h.sim.command("").rfind("error", 0), 0u);
  EXPECT_EQ(h.sim.command("status").rfind("ok t=", 0), 0u);
}

TEST(Faults, OverDischargeByPhysicsUnderLoad) {
  SimOptions o;
  o.modules = 2;
  o.initial_soc_pct = 2;
  o.speed = 10;
  Harness h(o);
  h.discharge = true;
  ASSERT_EQ(h.sim.command("load 20"), "ok");
  bool tripped = false;
  for (int k = 0; k < 60 && !tripped; ++k) {
    for (const auto& [t, s] : messages<bus::Status>(h.run(1000), 0)) {
      if (s.state == bus::kOverDischarge) {
        tripped = true;
        EXPECT_FALSE(s.dis);
      }
    }
  }
  EXPECT_TRUE(tripped);
}

}  // namespace
}  // namespace essd::sim
