// SPDX-License-Identifier: MIT
// A long mixed stream fed whole, byte by byte and in random chunks, and the
// gpsd-style garbage-prefix test: garbage at every offset before the stream
// costs exactly the first line and is counted once.
#include <gtest/gtest.h>

#include "essd/slcan.hpp"
#include "slcan_test_util.hpp"

namespace essd::slcan {
namespace {

using testing::run;
using testing::Split;

// Built from frames encoded by the codec itself plus adapter replies; the
// expected items are derived independently from the same list.
struct Piece {
  std::string bytes;
  std::string item;  // "" when the piece produces nothing
};

std::vector<Piece> pieces() {
  std::vector<Piece> p;
  for (std::uint32_t a = 0; a < 16; ++a) {
    const auto f = CanFrame::make(
        0x100 + a, {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, 0x07, static_cast<std::uint8_t>(0x10 | a)});
    p.push_back({encode_frame(f), "frame " + format_frame(f)});
    p.push_back({a % 2 ? "z\r" : "\r", a % 2 ? "tx_ack" : "ok"});
    if (a % 4 == 0) p.push_back({"\a", "error"});
    if (a % 5 == 0) p.push_back({"\n", ""});
  }
  return p;
}

std::string concat(const std::vector<Piece>& p, std::size_t from = 0) {
  std::string s;
  for (std::size_t i = from; i < p.size(); ++i) s += p[i].bytes;
  return s;
}

std::vector<std::string> items(const std::vector<Piece>& p, std::size_t from = 0) {
  std::vector<std::string> v;
  for (std::size_t i = from; i < p.size(); ++i) {
    if (!p[i].item.empty()) v.push_back(p[i].item);
  }
  return v;
}

std::vector<std::string> without_counters(std::vector<std::string> v) {
  v.pop_back();
  return v;
}

TEST(SlcanStream, SameResultWholeBytewiseAndChunked) {
  const auto p = pieces();
  const std::string input = concat(p);
  const auto whole = run(input, Split::whole);
  EXPECT_EQ(without_counters(whole), items(p));
  EXPECT_EQ(run(input, Split::bytewise), whole);
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    EXPECT_EQ(run(input, Split::random, seed), whole) << "seed " << seed;
  }
  EXPECT_EQ(whole.back(), "counters frames=16 ok=8 tx_acks=8 errors=4 garbage=0 overlong=0");
}

TEST(SlcanStream, GarbagePrefixAtEveryOffset) {
  const auto p = pieces();
  const std::string stream = concat(p);
  // No '\r', '\a' or '\n' in here: the first stream line absorbs the prefix.
  const std::string garbage = std::string("x\0\xff", 3) + "7T12 ?" + std::string(40, '#') + "t1038";
  for (std::size_t k = 0; k <= garbage.size(); ++k) {
    const std::string input = garbage.substr(0, k) + stream;
    for (Split s : {Split::whole, Split::bytewise, Split::random}) {
      const auto got = run(input, s, static_cast<std::uint32_t>(k));
      if (k == 0) {
        EXPECT_EQ(without_counters(got), items(p));
        continue;
      }
      // Lost: exactly the first piece (a frame line), counted once.
      EXPECT_EQ(without_counters(got), items(p, 1)) << "offset " << k;
      const bool overlong = k + p[0].bytes.size() - 1 > Decoder::kMaxLine;
      EXPECT_EQ(got.back(), std::string("counters frames=15 ok=8 tx_acks=8 errors=4 ") +
                                (overlong ? "garbage=0 overlong=1" : "garbage=1 overlong=0"))
          << "offset " << k;
    }
  }
}

TEST(SlcanStream, ResyncAfterLongBinaryBurst) {
  const auto p = pieces();
  std::mt19937 rng(99);
  std::string burst;
  for (int i = 0; i < 100000; ++i) {
    char c = static_cast<char>(rng());
    if (c == '\r' || c == '\a' || c == '\n') c = 'x';
    burst += c;
  }
  const std::string input = burst + "\r" + concat(p);
  const auto got = run(input, Split::random, 5);
  EXPECT_EQ(without_counters(got), items(p));
  EXPECT_EQ(got.back(), "counters frames=16 ok=8 tx_acks=8 errors=4 garbage=0 overlong=1");
}

TEST(SlcanStream, RandomNoiseNeverStallsTheDecoder) {
  // Whatever precedes it, a '\r' followed by a valid line always yields the frame.
  std::mt19937 rng(1234);
  Decoder d;
  for (int round = 0; round < 2000; ++round) {
    std::string noise(rng() % 64, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    d.feed(noise, [](const Output&) {});
    int frames = 0;
    d.feed("\rt1038C81410FF50530713\r", [&](const Output& o) {
      if (o.kind == Output::Kind::frame) {
        ++frames;
        EXPECT_EQ(format_frame(o.frame), "103#C81410FF50530713");
      }
    });
    ASSERT_EQ(frames, 1) << "round " << round;
  }
}

}  // namespace
}  // namespace essd::slcan
