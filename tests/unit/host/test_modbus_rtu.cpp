// SPDX-License-Identifier: MIT
// The sans-IO Modbus RTU slave and framer: every request class, every
// exception rule, dropped frames, and totality over random input.
#include <gtest/gtest.h>

#include <random>

#include "host/modbus_rtu.hpp"
#include "host_snapshots.hpp"
#include "rtu_util.hpp"

namespace essd::host::test {
namespace {

using Bytes = std::vector<std::uint8_t>;

class RtuSlave : public ::testing::Test {
 protected:
  void make(bool allow_writes, std::uint8_t unit = 1) {
    slave = std::make_unique<ModbusSlave>(ModbusSlaveOptions{unit, allow_writes});
    SunSpecIdentity id;
    id.device_address = unit;
    slave->set_image(build_sunspec_image(normal_parallel(), id, slave->writable()));
  }
  std::optional<Bytes> send(const Bytes& adu) { return slave->handle(adu.data(), adu.size()); }
  /// Asserts an exception reply and returns its code.
  int exception_code(const Bytes& adu) {
    auto r = send(adu);
    if (!r) {
      ADD_FAILURE() << "no reply";
      return -1;
    }
    EXPECT_TRUE(crc_valid(*r));
    EXPECT_EQ(r->size(), 5u);
    EXPECT_EQ((*r)[1], adu[1] | 0x80);
    return (*r)[2];
  }
  std::unique_ptr<ModbusSlave> slave;
};

TEST(ModbusCrc, KnownVector) {
  // Read holding registers 0x0000 x1 at unit 1: the textbook frame 01 03 00 00 00 01 84 0A.
  const Bytes b{0x01, 0x03, 0x00, 0x00, 0x00, 0x01};
  EXPECT_EQ(modbus_crc16(b.data(), b.size()), 0x0A84);
}

TEST_F(RtuSlave, ReadsWholeMapWithBothFunctions) {
  make(false);
  const auto& img = slave->image();
  for (std::uint8_t fc : {0x03, 0x04}) {
    Bytes all;
    for (auto [addr, qty] : {std::pair{40000, 125}, std::pair{40125, 11}}) {
      auto r = send(req(1, fc, static_cast<std::uint16_t>(addr), static_cast<std::uint16_t>(qty)));
      ASSERT_TRUE(r);
      ASSERT_TRUE(crc_valid(*r));
      ASSERT_EQ(r->size(), 5u + 2 * qty);
      EXPECT_EQ((*r)[0], 1);
      EXPECT_EQ((*r)[1], fc);
      EXPECT_EQ((*r)[2], 2 * qty);
      all.insert(all.end(), r->begin() + 3, r->end() - 2);
    }
    ASSERT_EQ(all.size(), 2 * img.size());
    for (std::size_t i = 0; i < img.size(); ++i) {
      EXPECT_EQ(all[2 * i] << 8 | all[2 * i + 1], img[i]) << "register " << 40000 + i;
    }
  }
  EXPECT_EQ(slave->counters().replies, 4u);
}

TEST_F(RtuSlave, ReadsOutsideTheMapGetIllegalAddress) {
  make(false);
  EXPECT_EQ(exception_code(req(1, 3, 39999, 1)), 2);
  EXPECT_EQ(exception_code(req(1, 3, 39999, 2)), 2);  // straddles the start
  EXPECT_EQ(exception_code(req(1, 3, 40135, 2)), 2);  // straddles the end
  EXPECT_EQ(exception_code(req(1, 4, 40136, 1)), 2);
  EXPECT_EQ(exception_code(req(1, 3, 0, 10)), 2);
  EXPECT_EQ(exception_code(req(1, 3, 65535, 1)), 2);
  ASSERT_TRUE(send(req(1, 3, 40135, 1)));  // the last register is inside
  EXPECT_EQ(slave->counters().exceptions, 6u);
}

TEST_F(RtuSlave, BadQuantityGetsIllegalValue) {
  make(false);
  EXPECT_EQ(exception_code(req(1, 3, 40000, 0)), 3);
  EXPECT_EQ(exception_code(req(1, 3, 40000, 126)), 3);
}

TEST_F(RtuSlave, UnknownFunctionGetsIllegalFunction) {
  make(true);
  EXPECT_EQ(exception_code(with_crc({1, 0x01, 0x9C, 0x40, 0, 1})), 1);
  EXPECT_EQ(exception_code(with_crc({1, 0x2B, 0x0E, 0x01, 0x00})), 1);
  EXPECT_EQ(exception_code(with_crc({1, 0x83})), 1);
  EXPECT_EQ(exception_code(with_crc({1, 0x16, 0x9C, 0x40, 0, 0, 0, 0})), 1);
}

TEST_F(RtuSlave, WritesDisabledGetIllegalAddress) {
  make(false);
  EXPECT_EQ(exception_code(req(1, 6, 40070 + 19, 5)), 2);  // CtrlHb
  EXPECT_EQ(exception_code(req(1, 6, 40070 + 50, 2)), 2);  // SetOp
  EXPECT_EQ(exception_code(write_multi(1, 40070 + 19, {1, 0})), 2);
  EXPECT_TRUE(slave->take_writes().empty());
  EXPECT_EQ(slave->counters().writes, 0u);
}

TEST_F(RtuSlave, WritesEnabled) {
  make(true);
  // CtrlHb: any value, echoed, reads back.
  const Bytes w = req(1, 6, 40070 + 19, 0xBEEF);
  auto r = send(w);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, w);
  auto rd = send(req(1, 3, 40070 + 19, 1));
  ASSERT_TRUE(rd);
  EXPECT_EQ((*rd)[3], 0xBE);
  EXPECT_EQ((*rd)[4], 0xEF);
  EXPECT_EQ(slave->writable().ctrl_hb, 0xBEEF);
  // SetOp 2 DISCONNECT.
  ASSERT_TRUE(send(req(1, 6, 40070 + 50, 2)));
  auto writes = slave->take_writes();
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].point, HostWrite::Point::ctrl_hb);
  EXPECT_EQ(writes[1].point, HostWrite::Point::set_op);
  EXPECT_EQ(writes[1].value, 2);
  // Bad values: SetOp 0/3, AlmRst 2 -> 03; non-writable points -> 02.
  EXPECT_EQ(exception_code(req(1, 6, 40070 + 50, 3)), 3);
  EXPECT_EQ(exception_code(req(1, 6, 40070 + 50, 0)), 3);
  EXPECT_EQ(exception_code(req(1, 6, 40070 + 20, 2)), 3);
  EXPECT_EQ(exception_code(req(1, 6, 40070 + 18, 1)), 2);  // Hb is the battery's
  EXPECT_EQ(exception_code(req(1, 6, 40070 + 11, 1)), 2);  // SoC
  EXPECT_EQ(exception_code(req(1, 6, 40000, 1)), 2);
  EXPECT_EQ(exception_code(req(1, 6, 1, 1)), 2);
  EXPECT_TRUE(slave->take_writes().empty());
}

TEST_F(RtuSlave, WriteMultipleIsAllOrNothing) {
  make(true);
  auto ok = write_multi(1, 40070 + 19, {7, 1});  // CtrlHb + AlmRst
  auto r = send(ok);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, with_crc({1, 0x10, 0x9C, 0x99, 0x00, 0x02}));
  EXPECT_EQ(slave->take_writes().size(), 2u);
  // CtrlHb, AlmRst, Typ: Typ is not writable -> 02, nothing applied.
  EXPECT_EQ(exception_code(write_multi(1, 40070 + 19, {9, 0, 4})), 2);
  // Valid addresses, AlmRst value 5 -> 03, CtrlHb not applied either.
  EXPECT_EQ(exception_code(write_multi(1, 40070 + 19, {9, 5})), 3);
  EXPECT_TRUE(slave->take_writes().empty());
  EXPECT_EQ(slave->writable().ctrl_hb, 7);
  // Byte count not 2 x quantity -> 03.
  Bytes bad{1, 0x10, 0x9C, 0x99, 0x00, 0x02, 0x02, 0x00, 0x01};
  EXPECT_EQ(exception_code(with_crc(bad)), 3);
}

TEST_F(RtuSlave, DroppedFramesAreCountedAndUnanswered) {
  make(true);
  Bytes good = req(1, 3, 40000, 2);
  Bytes bad_crc = good;
  bad_crc.back() ^= 0x01;
  EXPECT_FALSE(send(bad_crc));
  EXPECT_EQ(slave->counters().crc_errors, 1u);
  EXPECT_FALSE(send(Bytes(good.begin(), good.begin() + 5)));  // truncated: CRC fails
  EXPECT_EQ(slave->counters().crc_errors, 2u);
  EXPECT_FALSE(send(Bytes{0x01, 0x03, 0x9C}));  // too short for any ADU
  EXPECT_FALSE(send(Bytes{}));
  EXPECT_EQ(slave->counters().malformed, 2u);
  // A well-formed CRC around a read with an extra byte: malformed.
  EXPECT_FALSE(send(with_crc({1, 3, 0x9C, 0x40, 0, 1, 0})));
  // 0x10 whose length disagrees with its byte count: malformed.
  EXPECT_FALSE(send(with_crc({1, 0x10, 0x9C, 0x99, 0, 1, 2, 0})));
  EXPECT_EQ(slave->counters().malformed, 4u);
  EXPECT_EQ(slave->counters().replies + slave->counters().exceptions, 0u);
  EXPECT_EQ(slave->counters().requests, 0u);
}

TEST_F(RtuSlave, UnitFilterAndBroadcast) {
  make(true, 5);
  EXPECT_FALSE(send(req(1, 3, 40000, 2)));
  EXPECT_EQ(slave->counters().other_unit, 1u);
  EXPECT_TRUE(send(req(5, 3, 40000, 2)));
  // Broadcast write: executed, never answered.
  EXPECT_FALSE(send(req(0, 6, 40070 + 19, 77)));
  EXPECT_EQ(slave->writable().ctrl_hb, 77);
  EXPECT_FALSE(send(req(0, 3, 40000, 2)));       // broadcast read: no reply
  EXPECT_FALSE(send(req(0, 6, 40070 + 50, 9)));  // broadcast bad value: no exception either
  EXPECT_EQ(slave->counters().broadcasts, 3u);
}

TEST_F(RtuSlave, TotalOverRandomInput) {
  make(true);
  std::mt19937 rng(12345);
  Bytes b;
  for (int i = 0; i < 30000; ++i) {
    b.resize(rng() % 300);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (i % 3 == 0 && b.size() >= 2) {  // many with a valid CRC, unit 1 or 0
      b[0] = static_cast<std::uint8_t>(i % 2);
      b.resize(b.size() - 2);
      b = with_crc(b);
    }
    auto r = send(b);
    if (r) {
      EXPECT_TRUE(crc_valid(*r));
      EXPECT_LE(r->size(), 256u);
    }
  }
  const auto& c = slave->counters();
  EXPECT_EQ(c.crc_errors + c.malformed + c.other_unit + c.requests, 30000u);
}

TEST(RtuFramer, CompletesKnownRequestsWithoutWaitingForSilence) {
  RtuFramer f;
  const Bytes a = req(1, 3, 40000, 2);
  const Bytes w = write_multi(1, 40089, {1, 2, 3});
  Bytes both = a;
  both.insert(both.end(), w.begin(), w.end());
  auto frames = f.feed(both.data(), both.size());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], a);
  EXPECT_EQ(frames[1], w);
  EXPECT_FALSE(f.pending());
  // Byte by byte.
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto out = f.feed(&w[i], 1);
    EXPECT_EQ(out.size(), i + 1 == w.size() ? 1u : 0u);
  }
}

TEST(RtuFramer, SilenceEndsUnknownOrBrokenFrames) {
  RtuFramer f;
  Bytes trunc = req(1, 3, 40000, 2);
  trunc.resize(5);
  EXPECT_TRUE(f.feed(trunc.data(), trunc.size()).empty());
  EXPECT_TRUE(f.pending());
  auto fr = f.on_silence();
  ASSERT_TRUE(fr);
  EXPECT_EQ(*fr, trunc);
  EXPECT_FALSE(f.on_silence());
  Bytes garbage(300, 0x55);
  EXPECT_TRUE(f.feed(garbage.data(), garbage.size()).empty());
  EXPECT_FALSE(f.on_silence());  // over-long: discarded
  EXPECT_EQ(f.overruns(), 1u);
  const Bytes a = req(1, 4, 40000, 1);
  EXPECT_EQ(f.feed(a.data(), a.size()).size(), 1u);  // resynchronised
}

TEST(RtuFramer, RandomChunksYieldTheSameFrames) {
  std::vector<Bytes> reqs{req(1, 3, 40000, 125), write_multi(1, 40089, {1, 0}), req(1, 6, 40120, 2),
                          req(7, 4, 40070, 64), write_multi(0, 40089, {9})};
  Bytes stream;
  for (const auto& r : reqs) stream.insert(stream.end(), r.begin(), r.end());
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    RtuFramer f;
    std::vector<Bytes> got;
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % 12, stream.size() - at);
      for (auto& fr : f.feed(stream.data() + at, n)) got.push_back(fr);
      at += n;
    }
    EXPECT_EQ(got, reqs);
    EXPECT_FALSE(f.pending());
  }
}

TEST(RtuFramer, SilenceInterval) {
  EXPECT_EQ(rtu_silence(9600).count(), 4011);
  EXPECT_EQ(rtu_silence(19200).count(), 2006);
  EXPECT_EQ(rtu_silence(38400).count(), 1750);
  EXPECT_EQ(rtu_silence(115200).count(), 1750);
}

}  // namespace
}  // namespace essd::host::test
