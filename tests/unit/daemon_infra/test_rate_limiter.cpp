// SPDX-License-Identifier: MIT
// RateLimiter in virtual time: 5 lines per key per 10 s, then a summary.
#include <gtest/gtest.h>

#include "daemon/logging.hpp"

namespace essd::logging {
namespace {

TEST(RateLimiter, FiveLinesThenSuppressed) {
  RateLimiter rl(5, 10'000);
  int emitted = 0;
  for (int i = 0; i < 12; ++i) emitted += rl.allow("comm/3", 1000 + i).emit ? 1 : 0;
  EXPECT_EQ(emitted, 5);
  EXPECT_TRUE(rl.expire(10'999).empty());  // window [1000, 11000) still open
  auto s = rl.expire(11'000);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].key, "comm/3");
  EXPECT_EQ(s[0].suppressed, 7);
  EXPECT_EQ(rl.tracked_keys(), 0u);
  EXPECT_TRUE(rl.allow("comm/3", 11'001).emit);  // a fresh window
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter rl(2, 1000);
  EXPECT_TRUE(rl.allow("a", 0).emit);
  EXPECT_TRUE(rl.allow("a", 0).emit);
  EXPECT_FALSE(rl.allow("a", 0).emit);
  EXPECT_TRUE(rl.allow("b", 0).emit);
  auto s = rl.expire(1000);
  ASSERT_EQ(s.size(), 1u);  // "b" ended without suppression: no summary
  EXPECT_EQ(s[0].key, "a");
  EXPECT_EQ(s[0].suppressed, 1);
}

TEST(RateLimiter, SummaryReportedOnNextLineIfExpireNotCalled) {
  RateLimiter rl(1, 1000);
  EXPECT_TRUE(rl.allow("k", 0).emit);
  EXPECT_FALSE(rl.allow("k", 500).emit);
  EXPECT_FALSE(rl.allow("k", 999).emit);
  auto v = rl.allow("k", 1000);
  EXPECT_TRUE(v.emit);
  EXPECT_EQ(v.suppressed_before, 2);
  EXPECT_TRUE(rl.expire(1999).empty());  // the summary is not reported twice
  EXPECT_EQ(rl.allow("k", 1500).suppressed_before, 0);
}

TEST(RateLimiter, QuietKeysAreForgotten) {
  RateLimiter rl(5, 100);
  for (int i = 0; i < 50; ++i) rl.allow("k" + std::to_string(i), i);
  EXPECT_EQ(rl.tracked_keys(), 50u);
  EXPECT_TRUE(rl.expire(149).empty());
  EXPECT_EQ(rl.tracked_keys(), 0u);
}

TEST(RateLimiter, KeyCapFailsOpen) {
  RateLimiter rl(1, 1000, 2);
  rl.allow("a", 0);
  rl.allow("b", 0);
  EXPECT_TRUE(rl.allow("c", 0).emit);  // untracked keys are never silenced
  EXPECT_TRUE(rl.allow("c", 0).emit);
  EXPECT_EQ(rl.tracked_keys(), 2u);
}

}  // namespace
}  // namespace essd::logging
