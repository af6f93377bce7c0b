// SPDX-License-Identifier: MIT
// One SLCAN input at a time, table driven: what comes out and how it is counted.
#include <gtest/gtest.h>

#include "essd/slcan.hpp"
#include "slcan_test_util.hpp"

namespace essd::slcan {
namespace {

using testing::run;
using testing::Split;

struct Case {
  const char* name;
  std::string input;
  std::vector<std::string> expect;  // items then the counters line
};

const std::string kV1 = "t1038C81410FF50530713";  // docs/codec.md's first test vector

std::vector<Case> cases() {
  return {
      {"frame",
       kV1 + "\r",
       {"frame 103#C81410FF50530713",
        "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"lower_case_hex",
       "t1038c81410ff50530713\r",
       {"frame 103#C81410FF50530713",
        "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"timestamp_ignored",
       kV1 + "eA5f\r",
       {"frame 103#C81410FF50530713",
        "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"timestamp_3_digits",
       kV1 + "ABC\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"timestamp_5_digits",
       kV1 + "ABCDE\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"timestamp_non_hex",
       kV1 + "12G4\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"zero_length",
       "t0800\r",
       {"frame 080#", "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"extended",
       "T1234567820011\r",
       {"frame 12345678#0011", "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"extended_max_with_timestamp",
       "T1FFFFFFF8FFFFFFFFFFFFFFFF1234\r",
       {"frame 1FFFFFFF#FFFFFFFFFFFFFFFF",
        "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"extended_id_too_big",
       "T200000000\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"remote",
       "r1230\r",
       {"frame 123#R", "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"remote_with_length",
       "r1AB4\r",
       {"frame 1AB#R4", "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"remote_extended",
       "R0000ABCD8\r",
       {"frame 0000ABCD#R8", "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"bare_cr_is_ok",
       "\r",
       {"ok", "counters frames=0 ok=1 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"bel_is_error",
       "\a",
       {"error", "counters frames=0 ok=0 tx_acks=0 errors=1 garbage=0 overlong=0"}},
      {"z_ack",
       "z\r",
       {"tx_ack", "counters frames=0 ok=0 tx_acks=1 errors=0 garbage=0 overlong=0"}},
      {"Z_ack",
       "Z\r",
       {"tx_ack", "counters frames=0 ok=0 tx_acks=1 errors=0 garbage=0 overlong=0"}},
      {"stray_lf_alone",
       "\n\n",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"crlf",
       kV1 + "\r\n",
       {"frame 103#C81410FF50530713",
        "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"lf_inside_line",
       "t103\n8C81410FF50530713\r",
       {"frame 103#C81410FF50530713",
        "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"garbage_line",
       "hello\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"unknown_command_reply",
       "V1013\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"overlong",
       std::string(200, '0') + "\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=0 overlong=1"}},
      {"32_chars_is_garbage_not_overlong",
       "T1FFFFFFF8FFFFFFFFFFFFFFFF123456\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"33_chars_is_overlong",
       "T1FFFFFFF8FFFFFFFFFFFFFFFF1234567\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=0 overlong=1"}},
      {"glued_frames",
       kV1 + kV1 + "\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=0 overlong=1"}},
      {"glued_short_frames",
       "t1000t1000\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"length_digit_above_data",
       "t1038C81410FF505307\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"length_digit_below_data",
       "t1032C81410\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"length_9",
       "t1039C81410FF5053071300\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"length_non_hex",
       "t103XC81410FF50530713\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"id_non_hex",
       "t1G38C81410FF50530713\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"data_non_hex",
       "t1038C81410FF505307 3\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"id_above_7ff",
       "t8000\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"id_7ff",
       "t7FF0\r",
       {"frame 7FF#", "counters frames=1 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"truncated_header",
       "t10\r",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
      {"bel_ends_partial_line",
       "t103\a",
       {"error", "counters frames=0 ok=0 tx_acks=0 errors=1 garbage=1 overlong=0"}},
      {"partial_line_waits",
       "t1038C814",
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=0 overlong=0"}},
      {"nul_bytes",
       std::string("\0\0t1000\r", 8),
       {"counters frames=0 ok=0 tx_acks=0 errors=0 garbage=1 overlong=0"}},
  };
}

TEST(SlcanLines, Table) {
  for (const auto& c : cases()) {
    for (Split s : {Split::whole, Split::bytewise, Split::random}) {
      EXPECT_EQ(run(c.input, s, 3), c.expect) << c.name << " split " << static_cast<int>(s);
    }
  }
}

TEST(SlcanLines, ResetDropsPartialLineButKeepsCounters) {
  Decoder d;
  std::vector<std::string> items;
  auto sink = [&](const Output& o) { items.push_back(testing::render(o)); };
  d.feed("zzzz\r", sink);
  d.feed("t1038C81", sink);
  d.reset();
  d.feed("t0800\r", sink);
  EXPECT_EQ(items, std::vector<std::string>{"frame 080#"});
  EXPECT_EQ(d.counters().garbage, 1u);
  EXPECT_EQ(d.counters().frames, 1u);
}

TEST(SlcanEncode, FramesAsAdapterLines) {
  EXPECT_EQ(encode_frame(CanFrame::make(0x103, {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, 0x07, 0x13})),
            kV1 + "\r");
  EXPECT_EQ(encode_frame(CanFrame::make(0x080, {0x01, 0x00, 0x2A, 0, 0, 0, 0, 0})),
            "t080801002A0000000000\r");
  EXPECT_EQ(encode_frame(CanFrame::make(0x7FF, {})), "t7FF0\r");
  CanFrame ext = CanFrame::make(0x1ABCDEF, {0xAB});
  ext.extended = true;
  EXPECT_EQ(encode_frame(ext), "T01ABCDEF1AB\r");
  CanFrame rtr = CanFrame::make(0x123, {});
  rtr.remote = true;
  rtr.len = 2;
  EXPECT_EQ(encode_frame(rtr), "r1232\r");
  rtr.extended = true;
  EXPECT_EQ(encode_frame(rtr), "R000001232\r");
}

TEST(SlcanEncode, SetupSequence) {
  EXPECT_EQ(setup_sequence(), (std::vector<std::string>{"C\r", "S6\r", "O\r"}));
  EXPECT_EQ(setup_sequence(500000), (std::vector<std::string>{"C\r", "S6\r", "O\r"}));
  EXPECT_EQ(setup_sequence(10000)[1], "S0\r");
  EXPECT_EQ(setup_sequence(125000)[1], "S4\r");
  EXPECT_EQ(setup_sequence(1000000)[1], "S8\r");
  EXPECT_THROW(setup_sequence(500), std::invalid_argument);
  EXPECT_THROW(setup_sequence(0), std::invalid_argument);
}

TEST(SlcanEncode, EncodeDecodeRoundTrip) {
  std::mt19937 rng(11);
  Decoder d;
  for (int i = 0; i < 5000; ++i) {
    CanFrame f;
    f.extended = rng() % 2;
    f.remote = rng() % 8 == 0;
    f.id = f.extended ? rng() % 0x20000000u : rng() % 0x800u;
    f.len = static_cast<std::uint8_t>(rng() % 9);
    if (!f.remote) {
      for (std::size_t b = 0; b < f.len; ++b) f.data[b] = static_cast<std::uint8_t>(rng());
    }
    int got = 0;
    d.feed(encode_frame(f), [&](const Output& o) {
      ASSERT_EQ(o.kind, Output::Kind::frame);
      EXPECT_EQ(o.frame, f);
      ++got;
    });
    EXPECT_EQ(got, 1) << encode_frame(f);
  }
  EXPECT_EQ(d.counters().garbage + d.counters().overlong, 0u);
}

}  // namespace
}  // namespace essd::slcan
