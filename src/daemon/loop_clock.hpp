// SPDX-License-Identifier: MIT
#pragma once
// The daemon's one monotonic clock: MonoMs since start-up, which the
// controller, the panel model and the API's time reference all count in.
#include <chrono>

#include "essd/time.hpp"

namespace essd::daemon {

class LoopClock {
 public:
  MonoMs now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 origin_)
        .count();
  }
  /// The steady_clock moment of `t`, for timers armed at a deadline.
  std::chrono::steady_clock::time_point at(MonoMs t) const {
    return origin_ + std::chrono::milliseconds(t);
  }

 private:
  std::chrono::steady_clock::time_point origin_ = std::chrono::steady_clock::now();
};

}  // namespace essd::daemon
