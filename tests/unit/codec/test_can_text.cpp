// SPDX-License-Identifier: MIT
// can-utils text form (cansend/candump "123#DEADBEEF") round trips.
#include <gtest/gtest.h>

#include <random>

#include "essd/can_frame.hpp"

namespace essd {
namespace {

TEST(CanText, FormatsLikeCansend) {
  EXPECT_EQ(format_frame(CanFrame::make(0x103, {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, 0x07, 0x13})),
            "103#C81410FF50530713");
  EXPECT_EQ(format_frame(CanFrame::make(0x080, {})), "080#");
  CanFrame ext = CanFrame::make(0x12345678, {0x00});
  ext.extended = true;
  EXPECT_EQ(format_frame(ext), "12345678#00");
  CanFrame rtr = CanFrame::make(0x123, {});
  rtr.remote = true;
  EXPECT_EQ(format_frame(rtr), "123#R");
  rtr.len = 4;
  EXPECT_EQ(format_frame(rtr), "123#R4");
}

TEST(CanText, ParsesEitherCaseAndDots) {
  const auto f = parse_frame("103#c8.14.10.ff.50.53.07.13");
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, CanFrame::make(0x103, {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, 0x07, 0x13}));
  const auto r = parse_frame("1aB#r");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->remote);
  EXPECT_EQ(r->id, 0x1AB);
}

TEST(CanText, RejectsMalformed) {
  for (const char* bad :
       {"", "#", "103", "10#00", "1234#00", "800#00", "103#0", "103#0G", "103#001122334455667788",
        "G03#00", "123#R9", "123#RR", "3FFFFFFF0#00", "20000000#00"}) {
    EXPECT_FALSE(parse_frame(bad)) << bad;
  }
}

TEST(CanText, RandomRoundTrip) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    CanFrame f;
    f.extended = rng() % 2;
    f.remote = rng() % 8 == 0;
    f.id = f.extended ? rng() % 0x20000000u : rng() % 0x800u;
    f.len = static_cast<std::uint8_t>(rng() % 9);
    if (!f.remote) {
      for (std::size_t b = 0; b < f.len; ++b) f.data[b] = static_cast<std::uint8_t>(rng());
    }
    const std::string text = format_frame(f);
    const auto back = parse_frame(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, f) << text;
  }
}

}  // namespace
}  // namespace essd
