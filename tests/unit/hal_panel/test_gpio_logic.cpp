// SPDX-License-Identifier: MIT
// GPIO logic without hardware: line specs, debouncing, interlock filter, sim
// pins.
#include <gtest/gtest.h>

#include "hal/gpio/debouncer.hpp"
#include "hal/gpio/interlock_filter.hpp"
#include "hal/gpio/line_spec.hpp"
#include "hal/gpio/sim_pins.hpp"

namespace essd::hal {
namespace {

TEST(LineSpec, Forms) {
  std::string err;
  EXPECT_EQ(parse_line_spec("gpiochip1:17", err), (LineSpec{"gpiochip1", 17u, "", false}));
  EXPECT_EQ(parse_line_spec("17", err), (LineSpec{"gpiochip0", 17u, "", false}));
  EXPECT_EQ(parse_line_spec("!CHG_PATH", err), (LineSpec{"", std::nullopt, "CHG_PATH", true}));
  EXPECT_EQ(parse_line_spec("!/dev/gpiochip2:0", err), (LineSpec{"/dev/gpiochip2", 0u, "", true}));
  EXPECT_EQ(to_string(*parse_line_spec("!gpiochip0:3", err)), "!gpiochip0:3");
}

TEST(LineSpec, Errors) {
  for (const char* bad : {"", "!", "gpiochip0:", ":3", "gpiochip0:x", "gpiochip0:-1",
                          "gpiochip0:999999", "1234567"}) {
    std::string err;
    EXPECT_EQ(parse_line_spec(bad, err), std::nullopt) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
}

TEST(Debouncer, AcceptsAfterWindowWithEdgeTime) {
  Debouncer d(30, false);
  EXPECT_EQ(d.on_raw(true, 100), 130);
  EXPECT_EQ(d.poll(129), std::nullopt);
  auto c = d.poll(130);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->level);
  EXPECT_EQ(c->when, 100);
  EXPECT_TRUE(d.stable());
  EXPECT_EQ(d.deadline(), std::nullopt);
}

TEST(Debouncer, BouncesRestartTheWindow) {
  Debouncer d(30, false);
  d.on_raw(true, 0);
  d.on_raw(false, 5);  // back to the stable level: nothing pending
  EXPECT_EQ(d.deadline(), std::nullopt);
  EXPECT_EQ(d.poll(100), std::nullopt);
  d.on_raw(true, 200);
  d.on_raw(false, 210);
  EXPECT_EQ(d.on_raw(true, 220), 250);
  EXPECT_EQ(d.poll(249), std::nullopt);
  EXPECT_EQ(d.poll(250)->when, 220);
  // A 29 ms pulse is lost, a 30 ms one is not.
  d.on_raw(false, 300);
  d.on_raw(true, 329);
  EXPECT_EQ(d.poll(400), std::nullopt);
  d.on_raw(false, 500);
  EXPECT_EQ(d.poll(530)->level, false);
}

TEST(Debouncer, ZeroWindowIsImmediate) {
  Debouncer d(0, true);
  EXPECT_EQ(d.on_raw(false, 7), 7);
  EXPECT_EQ(d.poll(7)->level, false);
}

// ---- InterlockFilter: unsafe at once, safe after the window ----

TEST(InterlockFilter, StartsUnsafeAndAcceptsSafeAfterAQuietWindow) {
  InterlockFilter f(30, false, 1000);  // an OV line: low blocks
  EXPECT_FALSE(f.level());
  EXPECT_FALSE(f.safe());
  EXPECT_EQ(f.on_level(true, 1000), std::nullopt);
  EXPECT_EQ(f.deadline(), 1030);
  EXPECT_EQ(f.poll(1029), std::nullopt);
  auto c = f.poll(1030);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->level);
  EXPECT_EQ(c->when, 1030);
  EXPECT_TRUE(f.safe());
  EXPECT_EQ(f.deadline(), std::nullopt);
}

TEST(InterlockFilter, FirstEdgeActsAtOnceWhateverIsReadBack) {
  InterlockFilter f(30, false, 0);
  f.on_level(true, 0);
  ASSERT_TRUE(f.poll(30));
  // A low pulse so short that the line reads high again: the edge itself acts.
  auto c = f.on_edge(100);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->level);
  EXPECT_EQ(c->when, 100);
  EXPECT_EQ(f.on_edge(100), std::nullopt);  // the pulse's rising edge
  EXPECT_EQ(f.on_level(true, 101), std::nullopt);
  EXPECT_FALSE(f.safe());
  EXPECT_EQ(f.deadline(), 131);  // from the first safe read after the last edge
}

TEST(InterlockFilter, ChatterKeepsItUnsafeUntilQuiet) {
  InterlockFilter f(30, false, 0);
  f.on_level(true, 0);
  f.poll(30);
  int reports = 0;
  for (MonoMs t = 100; t < 400; t += 10) {  // an edge every 10 ms for 300 ms
    if (f.on_edge(t)) ++reports;
    f.on_level(t % 20 == 0 ? false : true, t + 1);
    EXPECT_EQ(f.poll(t + 9), std::nullopt) << t;
    EXPECT_FALSE(f.safe()) << t;
  }
  EXPECT_EQ(reports, 1) << "one report: the first low edge";
  f.on_level(true, 395);  // the last edge was at 390, read high at 391
  EXPECT_EQ(f.poll(420), std::nullopt);
  auto c = f.poll(421);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->level);
}

TEST(InterlockFilter, UnsafeLevelReadBackActsAtOnceAndHoldsTheWindow) {
  InterlockFilter f(30, false, 0);
  f.on_level(true, 0);
  f.poll(30);
  auto c = f.on_level(false, 50);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->level);
  EXPECT_EQ(c->when, 50);
  EXPECT_EQ(f.deadline(), std::nullopt) << "still low: nothing pending";
  f.on_edge(70);
  f.on_level(true, 70);
  EXPECT_EQ(f.deadline(), 100);
}

TEST(InterlockFilter, ReadErrorIsUnsafeAndRestartsTheWindow) {
  InterlockFilter f(30, false, 0);
  f.on_level(true, 0);
  f.poll(30);
  auto c = f.on_level(std::nullopt, 200);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->level);
  EXPECT_EQ(f.deadline(), std::nullopt);
  f.on_level(true, 210);  // readable again: safe 30 ms after it reads safe
  EXPECT_EQ(f.deadline(), 240);
  EXPECT_TRUE(f.poll(240));
}

TEST(InterlockFilter, FailedEventSourceIsUnsafeForGood) {
  InterlockFilter f(30, false, 0);
  f.on_level(true, 0);
  f.poll(30);
  auto c = f.fail(500);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->level);
  EXPECT_TRUE(f.failed());
  f.on_level(true, 600);
  EXPECT_EQ(f.deadline(), std::nullopt);
  EXPECT_EQ(f.poll(10000), std::nullopt);
  EXPECT_FALSE(f.safe());
}

TEST(InterlockFilter, SwOnIsUnsafeWhenActive) {
  // SW ON: active (resistor fitted) = OFF mode = the blocking level.
  InterlockFilter f(30, true, 0);
  EXPECT_TRUE(f.level()) << "starts in OFF mode until the input reads inactive";
  f.on_level(false, 0);
  auto c = f.poll(30);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->level);
  c = f.on_edge(40);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->level);
  EXPECT_EQ(f.on_level(std::nullopt, 41), std::nullopt);  // already unsafe
  EXPECT_TRUE(f.level());
}

TEST(InterlockFilter, ZeroWindowAcceptsSafeOnTheNextPoll) {
  InterlockFilter f(0, false, 5);
  f.on_level(true, 5);
  EXPECT_EQ(f.deadline(), 5);
  EXPECT_TRUE(f.poll(5));
}

TEST(SimPins, OutputStartsSafeAndLogsChanges) {
  std::vector<std::pair<std::string, bool>> log;
  SimOutputPin p("charge_path", [&](const std::string& n, bool a) { log.emplace_back(n, a); });
  EXPECT_FALSE(p.get());
  p.set(false);
  p.set(true);
  p.set(true);
  p.set(false);
  EXPECT_EQ(log, (std::vector<std::pair<std::string, bool>>{{"charge_path", true},
                                                            {"charge_path", false}}));
  EXPECT_EQ(p.changes(), 2);
  EXPECT_EQ(p.describe(), "sim output charge_path");
}

TEST(SimPins, InputReportsChangesWhileStarted) {
  SimInputPin in("disp_button");
  std::vector<std::pair<bool, MonoMs>> seen;
  in.set(true, 5);  // not started: level only
  EXPECT_TRUE(in.get());
  in.start([&](bool a, MonoMs t) { seen.emplace_back(a, t); });
  in.set(true, 6);
  in.set(false, 10);
  in.stop();
  in.set(true, 20);
  EXPECT_EQ(seen, (std::vector<std::pair<bool, MonoMs>>{{false, 10}}));
}

}  // namespace
}  // namespace essd::hal
