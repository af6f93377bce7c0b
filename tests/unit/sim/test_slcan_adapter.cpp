// SPDX-License-Identifier: MIT
// The simulated Lawicel adapter's replies, gating and resynchronisation.
#include <gtest/gtest.h>

#include "essd/module_bus.hpp"
#include "essd/slcan.hpp"
#include "sim/slcan_adapter.hpp"

namespace essd::sim {
namespace {

struct Io {
  std::string reply;
  std::vector<CanFrame> tx;
};

Io feed(SlcanAdapter& a, std::string_view bytes) {
  Io io;
  a.feed(bytes, io.reply, io.tx);
  return io;
}

TEST(SlcanAdapter, SetupSequenceAndVersion) {
  SlcanAdapter a;
  EXPECT_EQ(a.forward(CanFrame::make(0x100, {1})), "");  // closed: nothing forwarded
  std::string setup;
  for (const auto& s : slcan::setup_sequence(500000)) setup += s;
  EXPECT_EQ(feed(a, setup).reply, "\r\r\r");
  EXPECT_TRUE(a.is_open());
  EXPECT_EQ(a.bitrate_code(), 6);
  EXPECT_EQ(feed(a, "V\rN\r").reply, "V1013\rNSIM1\r");
  EXPECT_EQ(feed(a, "S6\r").reply, "\a");  // bitrate only while closed
  EXPECT_EQ(feed(a, "O\r").reply, "\a");   // already open
  EXPECT_EQ(a.forward(CanFrame::make(0x103, {0xC8, 0x14})), "t1032C814\r");
}

TEST(SlcanAdapter, TransmitOnlyWhenOpen) {
  SlcanAdapter a;
  bus::Ctrl c;
  c.alive = 42;
  c.mode = 1;
  const std::string line = slcan::encode_frame(bus::encode(c));
  auto io = feed(a, line);
  EXPECT_EQ(io.reply, "\a");
  EXPECT_TRUE(io.tx.empty());
  feed(a, "O\r");
  io = feed(a, line);
  EXPECT_EQ(io.reply, "z\r");
  ASSERT_EQ(io.tx.size(), 1u);
  EXPECT_EQ(io.tx[0], bus::encode(c));
  // Byte by byte, lower-case hex, a stray LF.
  io = {};
  for (char ch : std::string("\nt080800002a0000000000\r"))
    a.feed(std::string_view(&ch, 1), io.reply, io.tx);
  EXPECT_EQ(io.reply, "z\r");
  ASSERT_EQ(io.tx.size(), 1u);
  EXPECT_EQ(io.tx[0].data[2], 0x2A);
}

TEST(SlcanAdapter, GarbageAndOverlongResync) {
  SlcanAdapter a;
  feed(a, "O\r");
  EXPECT_EQ(feed(a, "t08\r").reply, "\a");
  EXPECT_EQ(feed(a, "?\r").reply, "\a");
  EXPECT_EQ(feed(a, std::string(500, 'x') + "\r").reply, "\a");
  const auto io = feed(a,
                       "t0808"
                       "0001000000000000"
                       "\r");
  EXPECT_EQ(io.reply, "z\r");
  EXPECT_EQ(io.tx.size(), 1u);
}

TEST(SlcanAdapter, ResetClosesChannel) {
  SlcanAdapter a;
  feed(a, "O\rt08");
  a.reset();
  EXPECT_FALSE(a.is_open());
  EXPECT_EQ(feed(a, "C\r").reply, "\r");
  EXPECT_EQ(a.forward(CanFrame::make(0x100, {1})), "");
}

}  // namespace
}  // namespace essd::sim
