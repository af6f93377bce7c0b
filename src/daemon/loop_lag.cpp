// SPDX-License-Identifier: MIT
#include "daemon/loop_lag.hpp"

#include <algorithm>

namespace essd::daemon {

void LoopLag::record(std::int64_t lag_ms) {
  lag_ms = std::max<std::int64_t>(lag_ms, 0);
  ++hist_[static_cast<std::size_t>(std::min<std::int64_t>(lag_ms, kBuckets - 1))];
  ++samples_;
  if (lag_ms >= 100) ++late_;
  max_ = std::max(max_, lag_ms);
}

std::int64_t LoopLag::percentile(double pct) const {
  if (samples_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(pct / 100.0 * static_cast<double>(samples_));
  if (rank >= samples_) rank = samples_ - 1;
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += hist_[static_cast<std::size_t>(i)];
    if (seen > rank) return i;
  }
  return kBuckets - 1;
}

}  // namespace essd::daemon
