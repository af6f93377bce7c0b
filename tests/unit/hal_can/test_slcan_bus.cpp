// SPDX-License-Identifier: MIT
// SlcanBus against a pty pair with a scripted adapter on the master side.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "fakes/can_recorder.hpp"
#include "hal/can/slcan_bus.hpp"
#include "loop_util.hpp"
#include "pty_adapter.hpp"

namespace essd::hal {
namespace {

using namespace std::chrono_literals;
using testing::PtyAdapter;
using testing::run_for;
using testing::run_until;

// Short retry period so the tests run quickly; a generous reply timeout so a
// slow (emulated, sanitized) machine does not time out a set-up command.
constexpr SlcanOptions kFast{.retry_interval = 50ms, .reply_timeout = 3s, .tx_queue_limit = 8};

class SlcanBusTest : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  PtyAdapter adapter{io};
  fakes::CanRecorder rec;

  std::unique_ptr<SlcanBus> start_bus(const std::string& path, SlcanOptions o = kFast) {
    auto bus = std::make_unique<SlcanBus>(io, path, 115200, 500000, o);
    bus->start(rec.on_frame(), rec.on_state());
    return bus;
  }
  bool wait_up(SlcanBus& bus) {
    return run_until(io, [&] { return bus.state() == LinkState::up; });
  }
};

TEST_F(SlcanBusTest, SetupSequenceOneCommandAtATimeThenUp) {
  auto bus = start_bus(adapter.slave_path());
  ASSERT_TRUE(wait_up(*bus));
  EXPECT_EQ(adapter.received, (std::vector<std::string>{"C", "S6", "O"}));
  ASSERT_EQ(rec.states.size(), 1u);
  EXPECT_EQ(rec.states[0].first, LinkState::up);
  EXPECT_EQ(rec.states[0].second, "opened " + adapter.slave_path());
  EXPECT_EQ(bus->describe(), "slcan:" + adapter.slave_path());
}

TEST_F(SlcanBusTest, WaitsForEachReplyBeforeTheNextCommand) {
  adapter.replies["S6"] = "";  // the adapter stays silent after S6
  auto bus = start_bus(adapter.slave_path());
  run_until(io, [&] { return adapter.count("S6") == 1; });
  run_for(io, 100ms);  // shorter than the reply timeout
  EXPECT_EQ(adapter.received, (std::vector<std::string>{"C", "S6"}));
  EXPECT_EQ(bus->state(), LinkState::down);
  adapter.write("\r");  // late OK
  ASSERT_TRUE(wait_up(*bus));
  EXPECT_EQ(adapter.received, (std::vector<std::string>{"C", "S6", "O"}));
}

TEST_F(SlcanBusTest, SetupTimeoutAndRefusalAreReportedAndRetried) {
  adapter.replies["O"] = "\a";
  auto bus = start_bus(adapter.slave_path());
  ASSERT_TRUE(run_until(io, [&] { return adapter.count("C") >= 3; }));
  ASSERT_FALSE(rec.states.empty());
  EXPECT_EQ(rec.states[0].first, LinkState::down);
  EXPECT_EQ(rec.states[0].second, adapter.slave_path() + ": adapter refused O");
  EXPECT_EQ(rec.states.size(), 1u);  // down stays down: reported once, not per retry
  adapter.replies["O"] = "\r";
  ASSERT_TRUE(wait_up(*bus));
  EXPECT_EQ(rec.states.back().second, "opened " + adapter.slave_path());

  PtyAdapter mute(io);
  mute.replies.clear();
  fakes::CanRecorder rec2;
  SlcanOptions impatient = kFast;
  impatient.reply_timeout = 200ms;
  SlcanBus silent(io, mute.slave_path(), 115200, 500000, impatient);
  silent.start(rec2.on_frame(), rec2.on_state());
  ASSERT_TRUE(run_until(io, [&] { return !rec2.states.empty(); }));
  EXPECT_EQ(rec2.states[0],
            std::make_pair(LinkState::down, mute.slave_path() + ": adapter did not answer C"));
}

TEST_F(SlcanBusTest, FramesGarbageAndPartialLinesIn) {
  auto bus = start_bus(adapter.slave_path());
  ASSERT_TRUE(wait_up(*bus));
  adapter.write("t1038C81410FF50530713\rnonsense\rt11080018FA0018");
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 1; }));
  run_for(io, 30ms);
  EXPECT_EQ(rec.frames.size(), 1u);  // the partial line waits for its CR
  adapter.write("1B3905\r" + std::string(100, 'X') + "\rt1000\r");
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 3; }));
  EXPECT_EQ(format_frame(rec.frames[0]), "103#C81410FF50530713");
  EXPECT_EQ(format_frame(rec.frames[1]), "110#0018FA00181B3905");
  EXPECT_EQ(format_frame(rec.frames[2]), "100#");
  const auto c = bus->counters();
  EXPECT_EQ(c.at("rx_frames"), 3u);
  EXPECT_EQ(c.at("slcan_garbage"), 1u);
  EXPECT_EQ(c.at("slcan_overlong"), 1u);
  EXPECT_EQ(c.at("rx_errors"), 2u);
}

TEST_F(SlcanBusTest, SentFramesAppearAsTLinesAndBelCountsTxError) {
  auto bus = start_bus(adapter.slave_path());
  ASSERT_TRUE(wait_up(*bus));
  const auto ctrl = CanFrame::make(0x080, {0x01, 0x00, 0x2A, 0, 0, 0, 0, 0});
  EXPECT_TRUE(bus->send(ctrl));
  ASSERT_TRUE(run_until(io, [&] { return adapter.received.size() == 4; }));
  EXPECT_EQ(adapter.received.back(), "t080801002A0000000000");
  adapter.replies["t"] = "\a";
  EXPECT_TRUE(bus->send(ctrl));
  ASSERT_TRUE(run_until(io, [&] { return bus->counters().at("tx_errors") == 1; }));
  const auto c = bus->counters();
  EXPECT_EQ(c.at("tx_frames"), 2u);
  EXPECT_EQ(c.at("tx_dropped"), 0u);
  EXPECT_EQ(bus->state(), LinkState::up);  // a refused frame does not drop the link
}

TEST_F(SlcanBusTest, SendWhileDownOrQueueFullIsDroppedAndCounted) {
  SlcanBus bus(io, adapter.slave_path(), 115200, 500000, kFast);
  EXPECT_FALSE(bus.send(CanFrame::make(0x080, {})));  // not started
  bus.start(rec.on_frame(), rec.on_state());
  ASSERT_TRUE(wait_up(bus));
  int accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += bus.send(CanFrame::make(0x080, {std::uint8_t(i)}));
  EXPECT_LE(accepted, static_cast<int>(kFast.tx_queue_limit));
  ASSERT_TRUE(
      run_until(io, [&] { return bus.counters().at("tx_frames") == std::uint64_t(accepted); }));
  EXPECT_EQ(bus.counters().at("tx_dropped"), std::uint64_t(101 - accepted));
}

TEST_F(SlcanBusTest, UnplugThenDeviceReappearsBehindSymlink) {
  // Like /dev/serial/by-id/...: the bus opens a link that udev re-points.
  const auto dir =
      std::filesystem::temp_directory_path() / ("essd-slcan-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto link = dir / "ttyACM0";
  std::filesystem::remove(link);
  std::filesystem::create_symlink(adapter.slave_path(), link);

  auto bus = start_bus(link.string());
  ASSERT_TRUE(wait_up(*bus));
  adapter.write("t1000\r");
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 1; }));

  adapter.unplug();
  // udev removes the by-id link on unplug; keeping it would also let the bus
  // reopen a /dev/pts/N that a test running in parallel has just been given.
  std::filesystem::remove(link);
  ASSERT_TRUE(run_until(io, [&] { return bus->state() == LinkState::down; }));
  ASSERT_EQ(rec.states.size(), 2u);
  EXPECT_EQ(rec.states[1].second.rfind(link.string() + ": device lost", 0), 0u)
      << rec.states[1].second;
  EXPECT_FALSE(bus->send(CanFrame::make(0x080, {})));
  run_for(io, 200ms);  // several retry periods with no device: no new reports, no spinning
  EXPECT_EQ(rec.states.size(), 2u);

  PtyAdapter replugged(io);
  const auto tmp = dir / "ttyACM0.new";
  std::filesystem::create_symlink(replugged.slave_path(), tmp);
  std::filesystem::rename(tmp, link);  // atomic re-point
  ASSERT_TRUE(wait_up(*bus));
  EXPECT_EQ(replugged.received, (std::vector<std::string>{"C", "S6", "O"}));
  ASSERT_EQ(rec.states.size(), 3u);
  EXPECT_EQ(rec.states[2], std::make_pair(LinkState::up, "reopened " + link.string()));
  replugged.write("t1010\r");
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 2; }));
  EXPECT_EQ(rec.frames[1].id, 0x101u);
  EXPECT_EQ(bus->counters().at("reopen_count"), 1u);
  std::filesystem::remove_all(dir);
}

TEST_F(SlcanBusTest, MissingDeviceReportedOnceAndRetried) {
  auto bus = start_bus("/nonexistent/ttyACM7");
  run_for(io, 200ms);
  ASSERT_EQ(rec.states.size(), 1u);
  EXPECT_EQ(rec.states[0],
            std::make_pair(LinkState::down, std::string("/nonexistent/ttyACM7: no such device")));
}

TEST_F(SlcanBusTest, StopSilencesHandlersAndDestructionWithPendingIoIsSafe) {
  auto bus = start_bus(adapter.slave_path());
  ASSERT_TRUE(wait_up(*bus));
  bus->stop();
  EXPECT_EQ(bus->state(), LinkState::down);
  adapter.write("t1000\r");
  run_for(io, 50ms);
  EXPECT_TRUE(rec.frames.empty());
  EXPECT_EQ(rec.states.size(), 1u);

  bus->start(rec.on_frame(), rec.on_state());  // restartable
  ASSERT_TRUE(wait_up(*bus));
  bus->send(CanFrame::make(0x080, {}));
  bus.reset();  // reads, writes and timers still pending
  run_for(io, 50ms);
  EXPECT_EQ(rec.states.size(), 2u);
}

}  // namespace
}  // namespace essd::hal
