// SPDX-License-Identifier: MIT
#pragma once
// Debouncing of one input, pure (virtual time): a new level is accepted once
// the raw level has stayed there for `window` ms since its last edge. The
// accepted change carries the time of that last edge (when the level became
// stable), so press durations measured from it are not skewed by the window.
#include <optional>

#include "essd/time.hpp"

namespace essd::hal {

class Debouncer {
 public:
  struct Change {
    bool level;
    MonoMs when;  // time of the edge after which the level stayed
  };

  Debouncer(MonoMs window, bool initial) : window_(window), raw_(initial), stable_(initial) {}

  /// The raw level sampled at an edge (or any time). Returns the time at
  /// which poll() must run to accept it, if a change is pending.
  std::optional<MonoMs> on_raw(bool level, MonoMs now) {
    if (level != raw_) {
      raw_ = level;
      raw_since_ = now;
    }
    return deadline();
  }

  /// Accepts the pending level when it has been stable long enough.
  std::optional<Change> poll(MonoMs now) {
    if (raw_ == stable_ || now - raw_since_ < window_) return std::nullopt;
    stable_ = raw_;
    return Change{stable_, raw_since_};
  }

  std::optional<MonoMs> deadline() const {
    if (raw_ == stable_) return std::nullopt;
    return raw_since_ + window_;
  }
  bool stable() const { return stable_; }

 private:
  MonoMs window_;
  bool raw_;
  bool stable_;
  MonoMs raw_since_ = 0;
};

}  // namespace essd::hal
