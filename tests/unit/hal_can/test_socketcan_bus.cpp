// SPDX-License-Identifier: MIT
// SocketCanBus on a real kernel: runs in the VM (vcan0), skips where AF_CAN
// is missing. Run: scripts/vm/run-in-vm -- build-can/tests/test_hal_can --gtest_filter='SocketCan*'
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <optional>

#include "fakes/can_recorder.hpp"
#include "hal/can/socketcan_bus.hpp"
#include "hal/serial/tty.hpp"
#include "loop_util.hpp"

namespace essd::hal {
namespace {

using namespace std::chrono_literals;
using testing::run_for;
using testing::run_until;

bool have_af_can() {
  UniqueFd fd(::socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW));
  return static_cast<bool>(fd);
}

#define REQUIRE_VCAN0()                                                             \
  do {                                                                              \
    if (!have_af_can()) GTEST_SKIP() << "AF_CAN not supported by this kernel";      \
    if (::if_nametoindex("vcan0") == 0) GTEST_SKIP() << "no vcan0 (run in the VM)"; \
  } while (0)

/// A second raw socket on vcan0, like candump/cansend.
class Peer {
 public:
  explicit Peer(const char* ifname) : fd_(::socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW)) {
    sockaddr_can addr{};
    addr.can_family = AF_CAN;
    addr.can_ifindex = static_cast<int>(::if_nametoindex(ifname));
    if (!fd_ || ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("peer socket");
    }
  }
  void send(canid_t id, std::initializer_list<std::uint8_t> bytes) {
    can_frame cf{};
    cf.can_id = id;
    for (auto b : bytes) cf.data[cf.can_dlc++] = b;
    if (::write(fd_.get(), &cf, sizeof cf) != sizeof cf) throw std::runtime_error("peer write");
  }
  /// Waits (poll with a deadline) for the next frame.
  std::optional<can_frame> receive(int timeout_ms = 2000) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    can_frame cf{};
    if (::read(fd_.get(), &cf, sizeof cf) != sizeof cf) return std::nullopt;
    return cf;
  }

 private:
  UniqueFd fd_;
};

TEST(SocketCanNoKernel, ReportsMissingAfCan) {
  if (have_af_can()) GTEST_SKIP() << "this kernel has AF_CAN";
  boost::asio::io_context io;
  SocketCanBus bus(io, "can0", 0, 0, {.retry_interval = 50ms});
  fakes::CanRecorder rec;
  rec.start(bus);
  run_for(io, 200ms);
  ASSERT_EQ(rec.states.size(), 1u);  // retried, reported once
  EXPECT_EQ(
      rec.states[0],
      std::make_pair(LinkState::down, std::string("can0: AF_CAN not supported by this kernel")));
  EXPECT_FALSE(bus.send(CanFrame::make(0x080, {})));
  EXPECT_EQ(bus.counters().at("tx_dropped"), 1u);
}

TEST(SocketCan, ReceivesFilteredFramesFromAnotherSocket) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  fakes::CanRecorder rec;
  rec.start(bus);
  ASSERT_EQ(bus.state(), LinkState::up);
  ASSERT_EQ(rec.states.size(), 1u);
  EXPECT_EQ(rec.states[0].second, "vcan0 up");
  Peer peer("vcan0");
  peer.send(0x200, {1, 2});  // not a module bus id: passed on for the codec to count
  peer.send(0x07F, {});
  peer.send(0x150, {});
  peer.send(0x103, {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, 0x07, 0x13});
  peer.send(0x080, {1, 0, 42, 0, 0, 0, 0, 0});
  peer.send(0x14F, {});
  peer.send(0x12345678 | CAN_EFF_FLAG, {0xAA});  // passed on so the codec can count it
  peer.send(0x7A3 | CAN_RTR_FLAG, {});           // remote, foreign id: counted too
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() >= 8; }));
  run_for(io, 50ms);
  ASSERT_EQ(rec.frames.size(), 8u);
  EXPECT_EQ(format_frame(rec.frames[0]), "200#0102");
  EXPECT_EQ(format_frame(rec.frames[1]), "07F#");
  EXPECT_EQ(format_frame(rec.frames[2]), "150#");
  EXPECT_EQ(format_frame(rec.frames[3]), "103#C81410FF50530713");
  EXPECT_EQ(format_frame(rec.frames[4]), "080#01002A0000000000");
  EXPECT_EQ(format_frame(rec.frames[5]), "14F#");
  EXPECT_EQ(format_frame(rec.frames[6]), "12345678#AA");
  EXPECT_TRUE(rec.frames[7].remote);
  EXPECT_EQ(rec.frames[7].id, 0x7A3u);
  EXPECT_EQ(bus.counters().at("rx_frames"), 8u);
}

TEST(SocketCan, RemoteFramesWithOurIdsPass) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  fakes::CanRecorder rec;
  rec.start(bus);
  Peer peer("vcan0");
  peer.send(0x105 | CAN_RTR_FLAG, {});
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 1; }));
  EXPECT_TRUE(rec.frames[0].remote);
  EXPECT_EQ(rec.frames[0].id, 0x105u);
}

TEST(SocketCan, CustomFilterForTheHostLink) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0", 0, 0, {.filters = {{0x305, 0x7FF, false}}});
  fakes::CanRecorder rec;
  rec.start(bus);
  Peer peer("vcan0");
  peer.send(0x103, {});
  peer.send(0x305, {0, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 1; }));
  run_for(io, 50ms);
  ASSERT_EQ(rec.frames.size(), 1u);
  EXPECT_EQ(rec.frames[0].id, 0x305u);
}

TEST(SocketCan, SentFramesAreSeenOnTheBus) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  fakes::CanRecorder rec;
  rec.start(bus);
  Peer peer("vcan0");
  EXPECT_TRUE(bus.send(CanFrame::make(0x080, {0x01, 0x00, 0x2A, 0, 0, 0, 0, 0})));
  CanFrame ext = CanFrame::make(0x1ABCDEF, {0xAB});
  ext.extended = true;
  EXPECT_TRUE(bus.send(ext));
  auto a = peer.receive();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->can_id, 0x080u);
  EXPECT_EQ(a->can_dlc, 8);
  EXPECT_EQ(std::memcmp(a->data, "\x01\x00\x2A\x00\x00\x00\x00\x00", 8), 0);
  auto b = peer.receive();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->can_id, 0x1ABCDEFu | CAN_EFF_FLAG);
  EXPECT_EQ(bus.counters().at("tx_frames"), 2u);
  run_for(io, 30ms);
  EXPECT_TRUE(rec.frames.empty());  // own frames are not looped back to us
}

TEST(SocketCan, ErrorFramesMapToLinkState) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  fakes::CanRecorder rec;
  rec.start(bus);
  Peer peer("vcan0");
  peer.send(CAN_ERR_FLAG | CAN_ERR_CRTL, {0, CAN_ERR_CRTL_TX_PASSIVE, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::error_passive; }));
  peer.send(CAN_ERR_FLAG | CAN_ERR_CRTL, {0, CAN_ERR_CRTL_ACTIVE, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::up; }));
  peer.send(CAN_ERR_FLAG | CAN_ERR_BUSOFF, {0, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::bus_off; }));
  peer.send(CAN_ERR_FLAG | CAN_ERR_BUSOFF, {0, 0, 0, 0, 0, 0, 0, 0});  // repeated: one bus-off
  peer.send(CAN_ERR_FLAG | CAN_ERR_RESTARTED, {0, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::up; }));
  const auto c = bus.counters();
  EXPECT_EQ(c.at("error_frames"), 5u);
  EXPECT_EQ(c.at("bus_off_count"), 1u);
  EXPECT_TRUE(rec.frames.empty());
  std::vector<LinkState> seq;
  for (const auto& s : rec.states) seq.push_back(s.first);
  EXPECT_EQ(seq, (std::vector<LinkState>{LinkState::up, LinkState::error_passive, LinkState::up,
                                         LinkState::bus_off, LinkState::up}));
  EXPECT_EQ(rec.states[3].second, "vcan0 bus off");
}

TEST(SocketCan, NonexistentInterfaceIsDownWithDetailAndRetried) {
  if (!have_af_can()) GTEST_SKIP() << "AF_CAN not supported by this kernel";
  boost::asio::io_context io;
  SocketCanBus bus(io, "nosuch0", 0, 0, {.retry_interval = 50ms});
  fakes::CanRecorder rec;
  rec.start(bus);
  run_for(io, 200ms);
  ASSERT_EQ(rec.states.size(), 1u);
  EXPECT_EQ(rec.states[0], std::make_pair(LinkState::down, std::string("no such device nosuch0")));
  EXPECT_FALSE(bus.send(CanFrame::make(0x080, {})));
}

TEST(SocketCan, InterfaceThatAppearsLaterIsPickedUpAndDownIsNoticed) {
  if (!have_af_can()) GTEST_SKIP() << "AF_CAN not supported by this kernel";
  if (::geteuid() != 0 || std::system("ip link add vcan7 type vcan 2>/dev/null") != 0) {
    GTEST_SKIP() << "cannot create vcan interfaces here";
  }
  std::system("ip link del vcan7");
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan7", 0, 0, {.retry_interval = 50ms});
  fakes::CanRecorder rec;
  rec.start(bus);
  run_for(io, 100ms);
  EXPECT_EQ(bus.state(), LinkState::down);
  ASSERT_EQ(std::system("ip link add vcan7 type vcan && ip link set vcan7 up"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::up; }));
  ASSERT_EQ(std::system("ip link set vcan7 down"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::down; }));
  EXPECT_EQ(rec.states.back().second, "interface vcan7 went down");
  ASSERT_EQ(std::system("ip link set vcan7 up"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::up; }));
  Peer peer("vcan7");
  peer.send(0x101, {});
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 1; }));
  std::system("ip link del vcan7");
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == LinkState::down; }));
}

TEST(SocketCan, BitrateRefusedOnVcanIsReportedAndIoCarriesOn) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0", 500000, 100);
  fakes::CanRecorder rec;
  rec.start(bus);
  ASSERT_EQ(bus.state(), LinkState::up) << (rec.states.empty() ? "" : rec.states[0].second);
  EXPECT_FALSE(bus.config_note().empty());
  EXPECT_NE(rec.states[0].second.find(bus.config_note()), std::string::npos);
  Peer peer("vcan0");
  peer.send(0x103, {});
  ASSERT_TRUE(run_until(io, [&] { return rec.frames.size() == 1; }));
}

TEST(SocketCan, ReceiveQueueOverflowIsCounted) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  fakes::CanRecorder rec;
  rec.start(bus);
  Peer peer("vcan0");
  // The loop does not run while we flood: the socket's receive buffer fills
  // and the kernel drops, reporting the running total through SO_RXQ_OVFL.
  constexpr int kSent = 20000;
  for (int i = 0; i < kSent; ++i) {
    while (true) {
      try {
        peer.send(0x100, {static_cast<std::uint8_t>(i)});
        break;
      } catch (const std::runtime_error&) {
        pollfd p{-1, 0, 0};
        ::poll(&p, 0, 1);  // ENOBUFS on the sender: let the queue drain
      }
    }
  }
  run_for(io, 300ms);  // drain what the kernel kept
  // The drop total rides on the next frame queued after the drops.
  peer.send(0x101, {});
  ASSERT_TRUE(run_until(io, [&] { return bus.counters().at("rxq_overflow") > 0; }));
  run_for(io, 20ms);
  const auto c = bus.counters();
  EXPECT_GT(c.at("rx_frames"), 0u);
  EXPECT_EQ(c.at("rx_frames") + c.at("rxq_overflow"), std::uint64_t(kSent + 1))
      << c.at("rx_frames") << " + " << c.at("rxq_overflow");
  EXPECT_EQ(rec.frames.back().id, 0x101u);
}

TEST(SocketCan, StopAndDestroyWithPendingWaitsIsSafe) {
  REQUIRE_VCAN0();
  boost::asio::io_context io;
  fakes::CanRecorder rec;
  {
    SocketCanBus bus(io, "vcan0");
    rec.start(bus);
    bus.stop();
    Peer("vcan0").send(0x103, {});
    run_for(io, 30ms);
    EXPECT_TRUE(rec.frames.empty());
    rec.start(bus);
  }
  run_for(io, 30ms);
  EXPECT_EQ(rec.states.size(), 2u);
}

}  // namespace
}  // namespace essd::hal
