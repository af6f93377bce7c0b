// SPDX-License-Identifier: MIT
#pragma once
// Sans-IO tracker of the inverter keep-alive frame 0x305 (docs/host-links.md):
// counts it, knows its age, and reports once when it has been absent for
// 10 s and once when it returns.
#include <cstdint>

#include "essd/time.hpp"

namespace essd::host {

class KeepaliveMonitor {
 public:
  static constexpr MonoMs kTimeoutMs = 10'000;
  enum class Change { none, lost, restored };

  /// Absence is measured from here until the first frame arrives.
  void start(MonoMs now) {
    since_ = now;
    lost_ = false;
  }
  Change on_frame(MonoMs now) {
    ++count_;
    last_ = now;
    have_ = true;
    if (!lost_) return Change::none;
    lost_ = false;
    return Change::restored;
  }
  Change poll(MonoMs now) {
    const MonoMs ref = have_ ? last_ : since_;
    if (lost_ || now - ref < kTimeoutMs) return Change::none;
    lost_ = true;
    return Change::lost;
  }
  /// Milliseconds since the last frame, -1 if none ever arrived.
  std::int64_t age_ms(MonoMs now) const { return have_ ? now - last_ : -1; }
  std::uint64_t count() const { return count_; }
  bool lost() const { return lost_; }

 private:
  MonoMs since_ = 0;
  MonoMs last_ = 0;
  bool have_ = false;
  bool lost_ = false;
  std::uint64_t count_ = 0;
};

}  // namespace essd::host
