// SPDX-License-Identifier: MIT
// SimBus on a real io_context (real time, bounded by deadlines): frames
// arrive through the handler, CTRL reaches the simulator, and no handler
// runs after stop() or destruction, even when called from inside one.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <set>

#include "essd/module_bus.hpp"
#include "sim/sim_bus.hpp"

namespace essd::sim {
namespace {

using namespace std::chrono_literals;

sim::SimOptions two() {
  sim::SimOptions o;
  o.modules = 2;
  return o;
}

TEST(SimBus, DeliversValidFramesAndTakesCtrl) {
  boost::asio::io_context io;
  SimBus bus(io, two());
  std::set<std::uint32_t> ids;
  int invalid = 0;
  bool up = false;
  bus.start(
      [&](const CanFrame& f) {
        if (!bus::decode(f).ok()) ++invalid;
        ids.insert(f.id);
        if (ids.count(bus::kInfoBase) && ids.count(bus::kInfoBase + 1)) io.stop();
      },
      [&](hal::LinkState s, const std::string&) { up = s == hal::LinkState::up; });
  EXPECT_EQ(bus.state(), hal::LinkState::up);
  io.run_for(3s);
  EXPECT_TRUE(up);
  EXPECT_EQ(invalid, 0);
  EXPECT_TRUE(ids.count(bus::kStatusBase) && ids.count(bus::kStatusBase + 1));
  bus::Ctrl c;
  c.discharge_closed = true;
  EXPECT_TRUE(bus.send(bus::encode(c)));
  EXPECT_TRUE(bus.simulator().discharge_path());
  EXPECT_EQ(bus.counters().at("sim_ctrl_frames"), 1u);
  EXPECT_EQ(bus.describe(), "sim");
  SimHeatsink hs(bus);
  ASSERT_TRUE(hs.read_c().has_value());
  EXPECT_NEAR(*hs.read_c(), 25.0, 0.5);
  bus.stop();
  EXPECT_FALSE(bus.send(bus::encode(c)));
}

TEST(SimBus, StopInsideHandlerEndsDelivery) {
  boost::asio::io_context io;
  SimBus bus(io, two());
  int calls = 0;
  bus.start(
      [&](const CanFrame&) {
        ++calls;
        bus.stop();
      },
      nullptr);
  io.run_for(1s);  // returns early once no work is left
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(bus.state(), hal::LinkState::down);
}

TEST(SimBus, DestroyInsideHandlerIsSafe) {
  boost::asio::io_context io;
  auto bus = std::make_unique<SimBus>(io, two());
  int calls = 0;
  bus->start(
      [&](const CanFrame&) {
        ++calls;
        bus.reset();
      },
      [](hal::LinkState, const std::string&) {});
  io.run_for(1s);
  EXPECT_EQ(calls, 1);
}

TEST(SimBus, BadScenarioIsInvalidArgument) {
  boost::asio::io_context io;
  auto o = two();
  o.scenario = "/nonexistent/scenario.toml";
  EXPECT_THROW(SimBus(io, o), std::invalid_argument);
}

}  // namespace
}  // namespace essd::sim
