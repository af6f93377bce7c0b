// SPDX-License-Identifier: MIT
// ess-sim --replay: which lines are played, and when.
#include <gtest/gtest.h>

#include "essd/candump_log.hpp"
#include "sim/replay.hpp"

namespace essd::sim {
namespace {

constexpr const char* kLog =
    "# essd 0.1.0 bus recording: slcan:/dev/pts/3 as slcan0\n"
    "(1700000000.000000) slcan0 080#0000000000000000\n"
    "(1700000000.010000) slcan0 100#C81410FF50530713\n"
    "(1700000000.010200) slcan0 110#0018FA0018003905\n"
    "# heatsink (1700000000.050000) 90.000\n"
    "(1700000000.100000) slcan0 080#0000000000000000\n"
    "(1700000000.110000) slcan0 35E#50594C4F4E000000\n"
    "garbage that is a comment to canplayer\n"
    "(1700000000.120000) slcan0 1ZZ#00\n"
    "(1700000000.040000) slcan0 140#0102000000000000\n"
    "(1700000001.010000) slcan0 100#C81410FF50530813\n";

TEST(ReplayLog, PlaysModuleFramesAndHeatsinkOnly) {
  const auto log = parse_replay_log(kLog, "test.log");
  EXPECT_EQ(log.frames, 4u);
  EXPECT_EQ(log.heatsink_readings, 1u);
  EXPECT_EQ(log.ctrl_skipped, 2u);
  EXPECT_EQ(log.other_skipped, 1u);
  EXPECT_EQ(log.bad_lines, 1u);
  EXPECT_EQ(log.first_bad.substr(0, 2), "9:");
  EXPECT_EQ(log.time_steps_back, 1u);
  ASSERT_EQ(log.items.size(), 5u);
  // Times count from the first played item; a step back is played at once.
  EXPECT_EQ(log.items[0].at_us, 0);
  EXPECT_EQ(log.items[1].at_us, 200);
  EXPECT_TRUE(log.items[2].heatsink);
  EXPECT_EQ(log.items[2].at_us, 40000);
  EXPECT_EQ(log.items[3].at_us, 40000);
  EXPECT_EQ(log.items[3].frame.id, 0x140u);
  EXPECT_EQ(log.items[4].at_us, 1000000);
}

TEST(ReplayLog, ALogWithoutModuleFramesIsRefused) {
  EXPECT_THROW(parse_replay_log("(1.000000) can0 080#00\n# nothing\n", "x.log"), ReplayError);
  EXPECT_THROW(parse_replay_log("", "x.log"), ReplayError);
}

TEST(ReplayClock, ScalesBySpeed) {
  const auto log = parse_replay_log(kLog, "test.log");
  ReplayClock real(log, 1.0), fast(log, 4.0);
  for (int i = 0; i < 4; ++i) {
    real.take();
    fast.take();
  }
  EXPECT_EQ(real.next_due_us(), 1000000);
  EXPECT_EQ(fast.next_due_us(), 250000);
  // After stepping by hand at real time 5 s, the next item is due "now".
  EXPECT_EQ(real.rebase_offset_us(5000000), real.next_due_us() - 5000000);
  real.take();
  EXPECT_TRUE(real.done());
}

}  // namespace
}  // namespace essd::sim
