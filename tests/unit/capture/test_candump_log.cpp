// SPDX-License-Identifier: MIT
// candump's log format: what essd writes and what ess-sim --replay reads.
#include <gtest/gtest.h>

#include "essd/candump_log.hpp"

namespace essd {
namespace {

using K = CandumpLine::Kind;

TEST(CandumpLog, FormatsAsCandumpWritesIt) {
  const auto f = CanFrame::make(0x103, {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, 0x07, 0x13});
  EXPECT_EQ(format_candump_line(1700000000123456LL, "can0", f),
            "(1700000000.123456) can0 103#C81410FF50530713\n");
  // Seconds are zero-padded to 10 digits like candump's %010lu.
  EXPECT_EQ(format_candump_line(12000034, "slcan0", CanFrame::make(0x80, {1})),
            "(0000000012.000034) slcan0 080#01\n");
}

TEST(CandumpLog, ParsesItsOwnLinesBack) {
  const auto f = CanFrame::make(0x12F, {0x0F, 0x80, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0x00});
  const auto l = parse_candump_line(format_candump_line(1700000001000001LL, "can0", f));
  ASSERT_EQ(l.kind, K::frame);
  EXPECT_EQ(l.logged.time_us, 1700000001000001LL);
  EXPECT_EQ(l.logged.interface, "can0");
  EXPECT_EQ(l.logged.frame, f);
}

TEST(CandumpLog, AcceptsCandumpMinusLPaddingAndTrailingFields) {
  // candump -L pads interface names to the longest one; newer can-utils may
  // append direction flags.
  const auto l = parse_candump_line("(1700000000.000100)  can0 110#0018FA0018 R\r\n");
  ASSERT_EQ(l.kind, K::frame);
  EXPECT_EQ(l.logged.frame.id, 0x110u);
  EXPECT_EQ(l.logged.frame.len, 5);
  EXPECT_EQ(l.logged.time_us, 1700000000000100LL);
}

TEST(CandumpLog, CommentsBlanksAndHeatsinkLines) {
  EXPECT_EQ(parse_candump_line("").kind, K::comment);
  EXPECT_EQ(parse_candump_line("# essd 0.1.0 bus recording").kind, K::comment);
  const auto h = parse_candump_line(format_heatsink_line(1700000000500000LL, 90.0));
  ASSERT_EQ(h.kind, K::heatsink);
  EXPECT_EQ(h.logged.time_us, 1700000000500000LL);
  ASSERT_TRUE(h.celsius);
  EXPECT_DOUBLE_EQ(*h.celsius, 90.0);
  EXPECT_EQ(format_heatsink_line(1, std::nullopt), "# heatsink (0000000000.000001) error\n");
  const auto e = parse_candump_line("# heatsink (0000000000.000001) error");
  ASSERT_EQ(e.kind, K::heatsink);
  EXPECT_FALSE(e.celsius);
}

TEST(CandumpLog, RefusesWhatIsNotAClassicFrame) {
  for (const char* bad :
       {"(1700000000.123456) can0", "(1700000000.12345678) can0 103#00",
        "(17000x0000.123456) can0 103#00", "(1700000000.123456) can0 103##0AA",
        "(1700000000.123456) can0 20000004#0000000000000000", "(1700000000.123456) can0 1234#00",
        "1700000000.123456 can0 103#00x", "# heatsink (1.000000) hot"}) {
    const auto l = parse_candump_line(bad);
    if (bad[0] == '1') {
      EXPECT_EQ(l.kind, K::comment) << bad;  // canplayer skips it too
    } else {
      EXPECT_EQ(l.kind, K::error) << bad;
      EXPECT_FALSE(l.error.empty());
    }
  }
}

TEST(CandumpLog, ShortFractionsAreScaled) {
  const auto l = parse_candump_line("(5.5) vcan0 100#00");
  ASSERT_EQ(l.kind, K::frame);
  EXPECT_EQ(l.logged.time_us, 5500000);
}

}  // namespace
}  // namespace essd
