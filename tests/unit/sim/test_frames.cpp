// SPDX-License-Identifier: MIT
// Frame conformance: every frame valid, periods, alive counters, staggering,
// CTRL reactions, deterministic replay.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sim_harness.hpp"

namespace essd::sim {
namespace {

using test::Harness;
using test::messages;

TEST(Frames, EveryFrameDecodesValidWithRightCadence) {
  SimOptions o;
  o.modules = 16;
  Harness h(o);
  const auto frames = h.run(10000);
  std::map<std::uint32_t, std::vector<MonoMs>> times;  // by identifier
  for (const auto& f : frames) {
    const auto r = bus::decode(f.frame);
    ASSERT_TRUE(r.ok()) << format_frame(f.frame) << " " << to_string(r.error);
    ASSERT_EQ(f.frame.len, 8);
    times[f.frame.id].push_back(f.t);
  }
  for (int a = 0; a < 16; ++a) {
    const auto& st = times[bus::kStatusBase + a];
    ASSERT_GE(st.size(), 99u);
    for (std::size_t k = 1; k < st.size(); ++k) EXPECT_EQ(st[k] - st[k - 1], 100);
    EXPECT_EQ(times[bus::kAlarmsBase + a], st);
    // Slow frames: 6 CELL_V, 2 CELL_T, 1 INFO per second.
    EXPECT_EQ(times[bus::kCellVBase + a].size(), 60u);
    EXPECT_EQ(times[bus::kCellTBase + a].size(), 20u);
    const auto& info = times[bus::kInfoBase + a];
    ASSERT_EQ(info.size(), 10u);
    for (std::size_t k = 1; k < info.size(); ++k) EXPECT_EQ(info[k] - info[k - 1], 1000);
    // Each CELL_V index once per second; index 15 carries one block.
    std::map<int, int> idx;
    for (const auto& [t, cv] : messages<bus::CellVoltages>(frames, a)) {
      ++idx[cv.index];
      EXPECT_NE(cv.mv[0], bus::kNoCell);
      if (cv.index == 15) {
        EXPECT_EQ(cv.mv[1], bus::kNoCell);
      }
    }
    EXPECT_EQ(idx, (std::map<int, int>{{0, 10}, {3, 10}, {6, 10}, {9, 10}, {12, 10}, {15, 10}}));
  }
}

TEST(Frames, AliveCountsAndBootStates) {
  Harness h;
  const auto frames = h.run(3000);
  for (int a = 0; a < 4; ++a) {
    const auto st = messages<bus::Status>(frames, a);
    ASSERT_FALSE(st.empty());
    EXPECT_EQ(st.front().second.state, bus::kInitial);
    EXPECT_EQ(st.front().second.rsoc, bus::kRsocUnknown);
    for (std::size_t k = 1; k < st.size(); ++k)
      EXPECT_EQ(st[k].second.alive, (st[k - 1].second.alive + 1) & 0x0F);
    EXPECT_EQ(st.back().second.state, bus::kStandby);
    EXPECT_EQ(st.back().second.prev_state, bus::kInitial);
    EXPECT_NEAR(st.back().second.rsoc, 60, 1);
    EXPECT_TRUE(st.back().second.chg && st.back().second.dis && st.back().second.ov);
    const auto info = messages<bus::Info>(frames, a);
    ASSERT_FALSE(info.empty());
    EXPECT_EQ(info.back().second.nominal_dah, 240);
    EXPECT_EQ(info.back().second.cell_blocks, 16);
  }
}

TEST(Frames, ModulesAreStaggered) {
  SimOptions o;
  o.modules = 8;
  Harness h(o);
  const auto frames = h.run(1000);
  std::map<MonoMs, int> per_tick;
  for (const auto& f : frames) ++per_tick[f.t];
  int worst = 0;
  for (const auto& [t, n] : per_tick) worst = std::max(worst, n);
  EXPECT_LE(worst, 3);  // one module per 10 ms slot: STATUS + ALARMS + one slow frame
  std::set<MonoMs> first;
  for (int a = 0; a < 8; ++a) first.insert(messages<bus::Status>(frames, a).front().first);
  EXPECT_EQ(first.size(), 8u);
}

TEST(Frames, SerialBytesDistinct) {
  SimOptions o;
  o.modules = 16;
  Harness h(o);
  const auto frames = h.run(1000);
  std::set<int> serials;
  for (int a = 0; a < 16; ++a)
    serials.insert(messages<bus::Info>(frames, a).at(0).second.serial_byte);
  EXPECT_EQ(serials.size(), 16u);
}

TEST(Ctrl, SilenceOpensModuleOutputsAfterOneSecond) {
  Harness h;
  h.discharge = true;
  ASSERT_EQ(h.sim.command("load 20"), "ok");
  h.run(1000);
  EXPECT_NEAR(h.sim.battery_current_a(), -20, 1e-9);
  EXPECT_TRUE(h.sim.module(0).conducting);
  h.ctrl_enabled = false;  // last CTRL at t = 900
  h.run(910);              // up to t = 1900: still within 1 s of it
  EXPECT_TRUE(h.sim.module(0).conducting);
  h.run(10);  // t = 1910
  EXPECT_FALSE(h.sim.module(0).conducting);
  EXPECT_EQ(h.sim.battery_current_a(), 0);
  h.ctrl_enabled = true;
  h.run(200);
  EXPECT_NEAR(h.sim.battery_current_a(), -20, 1e-9);
}

TEST(Ctrl, NoCurrentBeforeFirstCtrl) {
  Harness h;
  h.ctrl_enabled = false;
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  h.run(2000);
  EXPECT_EQ(h.sim.battery_current_a(), 0);
  EXPECT_FALSE(h.sim.module(0).conducting);
}

/// One second running, then the shut-down request for 100 ms: the modules
/// go quiet. Returns the frames of the 3 s that follow.
std::vector<test::Timed> shut_down(Harness& h) {
  h.run(1000);
  h.mode = bus::kCtrlShutdown;
  h.run(100);
  h.mode = bus::kCtrlNormal;
  return h.run(3000);
}

TEST(Ctrl, ShutdownSilencesModulesUntilChargerPowersThemOn) {
  Harness h;
  auto frames = shut_down(h);
  EXPECT_TRUE(frames.empty());
  EXPECT_FALSE(h.sim.module(0).powered);
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  frames = h.run(1000);
  for (int a = 0; a < 4; ++a) {
    const auto st = messages<bus::Status>(frames, a);
    ASSERT_FALSE(st.empty());
    EXPECT_EQ(st.front().second.state, bus::kInitial);
    EXPECT_EQ(st.front().second.alive, 1);
  }
}

// ess-sim reads its control socket at any moment of real time, between two
// ticks: a power-on read there must wake the modules all the same.
TEST(Ctrl, PowerOnBetweenTwoTicksWakesTheModules) {
  Harness h;
  EXPECT_TRUE(shut_down(h).empty());
  h.sim.step(h.t - Simulator::kTickMs + 3);  // 3 ms after the last tick
  ASSERT_EQ(h.sim.command("power on"), "ok");
  const auto frames = h.run(1000);
  for (int a = 0; a < 4; ++a) {
    EXPECT_FALSE(messages<bus::Status>(frames, a).empty()) << "module " << a << " stayed silent";
  }
}

TEST(Ctrl, OtherFramesIgnoredAndCounted) {
  Harness h;
  h.sim.on_frame(CanFrame::make(0x123, {1, 2}), 0);
  h.sim.on_frame(CanFrame::make(bus::kCtrlId, {2, 0, 0}), 0);  // short CTRL: invalid
  EXPECT_EQ(h.sim.ignored_frames(), 2u);
  EXPECT_EQ(h.sim.ctrl_frames(), 0u);
  h.run(500);
  EXPECT_TRUE(h.sim.module(0).powered);
}

std::vector<CanFrame> replay(std::uint32_t seed) {
  SimOptions o;
  o.seed = seed;
  Harness h(o);
  h.discharge = h.charge = true;
  EXPECT_EQ(h.sim.command("noise 0.05"), "ok");
  EXPECT_EQ(h.sim.command("load 1500W"), "ok");
  std::vector<CanFrame> out;
  for (const auto& f : h.run(5000)) out.push_back(f.frame);
  return out;
}

TEST(Replay, SameSeedSameFrames) {
  const auto a = replay(7), b = replay(7), c = replay(8);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Options, RejectsBadValues) {
  SimOptions o;
  o.modules = 17;
  EXPECT_THROW(Simulator{o}, std::invalid_argument);
  o.modules = 0;
  EXPECT_THROW(Simulator{o}, std::invalid_argument);
  o.modules = 2;
  o.speed = 0;
  EXPECT_THROW(Simulator{o}, std::invalid_argument);
}

TEST(Topology, SeriesStringCarriesOneCurrent) {
  SimOptions o;
  o.model = Model::ij4001c;
  o.topology = Topology::series;
  o.modules = 3;
  Harness h(o);
  h.charge = true;
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  h.run(1000);
  EXPECT_NEAR(h.sim.battery_current_a(), 24, 1e-9);  // 24 A x 1 string
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(h.sim.module(i).current_a, 24, 1e-9);
  EXPECT_GT(h.sim.bus_voltage_v(), 150);
  ASSERT_EQ(h.sim.command("drop 1"), "ok");  // module 1 hears no CTRL: opens, string stops
  h.run(1100);
  EXPECT_EQ(h.sim.battery_current_a(), 0);
}

TEST(Topology, SeriesParallelPairsShare) {
  SimOptions o;
  o.model = Model::ij4001c;
  o.topology = Topology::series_parallel;
  o.modules = 4;
  Harness h(o);
  h.charge = true;
  ASSERT_EQ(h.sim.command("charger on"), "ok");
  h.run(1000);
  // 2 x 24 A per pair, held to 95 % of the 50 A rating by the charger.
  EXPECT_NEAR(h.sim.battery_current_a(), 47.5, 1e-9);
  EXPECT_NEAR(h.sim.module(0).current_a + h.sim.module(1).current_a, 47.5, 1e-9);
  EXPECT_NEAR(h.sim.module(2).current_a + h.sim.module(3).current_a, 47.5, 1e-9);
}

}  // namespace
}  // namespace essd::sim
