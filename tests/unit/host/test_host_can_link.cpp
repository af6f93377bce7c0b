// SPDX-License-Identifier: MIT
// HostCanLink on a real io_context with a fake CanBus: periodic frames,
// keep-alive tracking in virtual time, events once, failures as counters.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "fake_can_bus.hpp"
#include "host/host_can_link.hpp"
#include "host_snapshots.hpp"
#include "pylon_decoder.hpp"

namespace essd::host::test {
namespace {

class CanLinkTest : public ::testing::Test {
 protected:
  void make(HostCanConfig cfg) {
    bus = std::make_shared<FakeCanBusState>();
    link = std::make_unique<HostCanLink>(io, cfg, std::make_unique<FakeCanBus>(bus));
    link->set_clock([this] { return clock; });
  }
  std::vector<Event> events_with(const std::string& cause) {
    std::vector<Event> out;
    for (auto& e : link->take_events()) {
      EXPECT_EQ(e.kind, "host_link");
      if (e.cause == cause) out.push_back(e);
    }
    return out;
  }
  void keepalive() { bus->on_frame(CanFrame::make(0x305, {0, 0, 0, 0, 0, 0, 0, 0})); }

  boost::asio::io_context io;
  MonoMs clock = 1000;
  std::shared_ptr<FakeCanBusState> bus;
  std::unique_ptr<HostCanLink> link;
};

TEST_F(CanLinkTest, SendsEveryPeriodFromTheLatestSnapshot) {
  HostCanConfig cfg;
  cfg.period_ms = 200;
  make(cfg);
  link->update(normal_parallel());
  link->start();
  ASSERT_EQ(bus->sent.size(), 6u);  // first period at once
  // Run the loop until three more periods went out, with a deadline.
  const auto t0 = std::chrono::steady_clock::now();
  auto s = normal_parallel();
  s.limits.ccl_a = 0;
  link->update(s);
  while (bus->sent.size() < 24 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    io.run_one_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(bus->sent.size(), 24u);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(elapsed, std::chrono::milliseconds(590));  // 3 periods of 200 ms
  const PylonView last = decode_pylon({bus->sent.end() - 6, bus->sent.end()});
  EXPECT_FALSE(last.charge_enable);
  EXPECT_TRUE(last.discharge_enable);
  EXPECT_EQ(link->counters().at("frames_sent"), 24);
  link->stop();
  EXPECT_EQ(bus->stops, 1);
}

TEST_F(CanLinkTest, DefaultSnapshotBeforeFirstUpdateIsSafe) {
  make({});
  link->start();
  const PylonView v = decode_pylon(bus->sent);
  EXPECT_FALSE(v.charge_enable || v.discharge_enable);
  EXPECT_GT(v.cvl_v, 0.0);
}

TEST_F(CanLinkTest, KeepaliveLostAndRestoredOnceEach) {
  HostCanConfig cfg;
  cfg.require_keepalive = true;
  make(cfg);
  link->start();
  EXPECT_EQ(link->counters().at("keepalive_age_ms"), -1);
  clock += 9'999;
  link->send_period();
  EXPECT_TRUE(events_with("keepalive_lost").empty());
  clock += 1;
  link->send_period();
  EXPECT_EQ(events_with("keepalive_lost").size(), 1u);
  clock += 5'000;
  link->send_period();
  EXPECT_TRUE(events_with("keepalive_lost").empty());  // once
  EXPECT_EQ(link->counters().at("keepalive_lost"), 1);
  keepalive();
  EXPECT_EQ(events_with("keepalive_restored").size(), 1u);
  clock += 1'500;
  EXPECT_EQ(link->counters().at("keepalive_age_ms"), 1'500);
  EXPECT_EQ(link->counters().at("keepalive_rx"), 1);
  clock += 8'499;
  link->send_period();
  EXPECT_TRUE(events_with("keepalive_lost").empty());
  clock += 1;
  link->send_period();
  EXPECT_EQ(events_with("keepalive_lost").size(), 1u);
}

TEST_F(CanLinkTest, KeepaliveCountedWithoutEventsWhenNotRequired) {
  make({});
  link->start();
  bus->on_frame(CanFrame::make(0x305, {1}));
  bus->on_frame(CanFrame::make(0x306, {1}));
  CanFrame ext = CanFrame::make(0x305, {1});
  ext.extended = true;
  bus->on_frame(ext);
  clock += 60'000;
  link->send_period();
  EXPECT_TRUE(link->take_events().empty());
  EXPECT_EQ(link->counters().at("keepalive_rx"), 1);
  EXPECT_EQ(link->counters().at("rx_other"), 2);
  EXPECT_EQ(link->counters().at("keepalive_age_ms"), 60'000);
}

TEST_F(CanLinkTest, SaturationEventOncePerEpisode) {
  make({});
  link->update(ij4001c_series7());
  link->start();
  link->send_period();
  link->send_period();
  auto ev = events_with("saturation:0x356.voltage");
  EXPECT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].severity, Severity::warning);
  auto s = ij4001c_series7();
  s.voltage_v = 300.0;
  link->update(s);
  link->send_period();
  link->update(ij4001c_series7());
  link->send_period();
  EXPECT_EQ(events_with("saturation:0x356.voltage").size(), 1u);
  EXPECT_EQ(link->counters().at("saturations"), 2);
}

TEST_F(CanLinkTest, SendFailuresAndLinkStateAreEventsAndCounters) {
  make({});
  link->start();
  bus->accept = false;
  link->send_period();
  link->send_period();
  EXPECT_EQ(link->counters().at("send_errors"), 12);
  EXPECT_EQ(events_with("send_failed").size(), 1u);
  bus->accept = true;
  link->send_period();
  EXPECT_EQ(events_with("send_ok").size(), 1u);
  bus->on_state(hal::LinkState::bus_off, "bus-off");
  auto ev = events_with("link_bus_off");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NE(ev[0].message.find("bus-off"), std::string::npos);
  EXPECT_EQ(link->counters().at("link_errors"), 1);
  bus->on_state(hal::LinkState::up, "restarted");
  EXPECT_EQ(events_with("link_up").size(), 1u);
}

// docs/host-links.md "Rules": every frame carries the state at the moment it is sent.
// With a source, nothing of an older update() is sent.
TEST_F(CanLinkTest, SourceIsReadAtTheMomentOfSending) {
  make({});
  SystemSnapshot now = normal_parallel();
  now.limits.ccl_a = 0;  // the last tick said: charging blocked
  link->update(now);
  int calls = 0;
  link->set_snapshot_source([&] {
    ++calls;
    return normal_parallel();  // the state now: charging allowed
  });
  link->start();
  EXPECT_EQ(calls, 1);
  const PylonView v = decode_pylon(bus->sent);
  EXPECT_TRUE(v.charge_enable) << "the frames carry the state now, not the last update";
  EXPECT_GT(v.ccl_a, 0.0);
  link->send_period();
  EXPECT_EQ(calls, 2);
}

// When a path opens the whole set goes out at once, and the period goes on
// from there (the next periodic set a whole period later).
TEST_F(CanLinkTest, SendNowSendsTheWholeSetAndRestartsThePeriod) {
  HostCanConfig cfg;
  cfg.period_ms = 300;
  make(cfg);
  link->update(normal_parallel());
  link->start();
  ASSERT_EQ(bus->sent.size(), 6u);
  io.run_for(std::chrono::milliseconds(150));  // half a period: nothing due yet
  ASSERT_EQ(bus->sent.size(), 6u);
  auto blocked = normal_parallel();
  blocked.limits.dcl_a = 0;
  link->update(blocked);
  const auto t_now = std::chrono::steady_clock::now();
  link->send_now();
  ASSERT_EQ(bus->sent.size(), 12u) << "the whole frame set at once";
  const PylonView v = decode_pylon({bus->sent.begin() + 6, bus->sent.end()});
  EXPECT_FALSE(v.discharge_enable);
  EXPECT_EQ(v.ids.size(), 6u);
  while (bus->sent.size() < 18 &&
         std::chrono::steady_clock::now() - t_now < std::chrono::seconds(5)) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(bus->sent.size(), 18u);
  EXPECT_GE(std::chrono::steady_clock::now() - t_now, std::chrono::milliseconds(295))
      << "the old period's timer (due 150 ms after send_now) was replaced";
  EXPECT_EQ(link->counters().at("immediate_sends"), 1);
}

TEST_F(CanLinkTest, DestroyedWithPendingTimerIsSafe) {
  make({});
  link->start();
  link.reset();  // timer handler still queued as aborted
  io.run_for(std::chrono::milliseconds(10));
  EXPECT_EQ(bus->stops, 1);
}

}  // namespace
}  // namespace essd::host::test
