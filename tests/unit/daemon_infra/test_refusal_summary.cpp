// SPDX-License-Identifier: MIT
// Refused privileged commands, summarised per uid (docs/api.md "Limits").
#include <gtest/gtest.h>

#include "daemon/refusal_summary.hpp"

namespace essd::daemon {
namespace {

TEST(RefusalSummary, FirstAtOnceThenOnceAMinuteWithTheCount) {
  RefusalSummary s;
  auto r = s.refuse(1000, 7, "reload", 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->count, 1u);
  for (int i = 1; i <= 99'999; ++i) EXPECT_FALSE(s.refuse(1000, 7, "reload", i % 59'000));
  EXPECT_TRUE(s.expire(59'999).empty());
  auto due = s.expire(60'000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].uid, 1000u);
  EXPECT_EQ(due[0].count, 99'999u);
  // Quiet for a window: the entry goes, the next refusal is reported at once.
  EXPECT_TRUE(s.expire(120'000).empty());
  r = s.refuse(1000, 8, "button short", 120'001);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->count, 1u);
  EXPECT_EQ(r->cmd, "button short");
}

TEST(RefusalSummary, UidsAreCountedApartAndALateRefusalCarriesTheCount) {
  RefusalSummary s;
  EXPECT_TRUE(s.refuse(1, 1, "reload", 0));
  EXPECT_TRUE(s.refuse(2, 2, "reload", 10));
  EXPECT_FALSE(s.refuse(1, 1, "reload", 20));
  EXPECT_FALSE(s.refuse(1, 1, "reload", 30));
  auto r = s.refuse(1, 1, "reload", 60'000);  // window over, not yet expired
  ASSERT_TRUE(r);
  EXPECT_EQ(r->count, 3u);
}

}  // namespace
}  // namespace essd::daemon
