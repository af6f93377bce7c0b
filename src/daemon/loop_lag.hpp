// SPDX-License-Identifier: MIT
#pragma once
// How late the 100 ms control tick fires (style point 4): a fixed 1 ms
// histogram, so percentiles cost no allocation and memory stays constant.
#include <array>
#include <cstdint>

namespace essd::daemon {

class LoopLag {
 public:
  static constexpr int kBuckets = 1000;  // 0..999 ms; later goes to the last bucket

  void record(std::int64_t lag_ms);
  /// Percentile (0-100) in whole ms; 0 before the first sample.
  std::int64_t percentile(double pct) const;
  std::int64_t max_ms() const { return max_; }
  std::uint64_t samples() const { return samples_; }
  std::uint64_t late_ticks() const { return late_; }  // > one period late

 private:
  std::array<std::uint64_t, kBuckets> hist_{};
  std::uint64_t samples_ = 0;
  std::uint64_t late_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace essd::daemon
