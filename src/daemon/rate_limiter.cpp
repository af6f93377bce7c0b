// SPDX-License-Identifier: MIT
// Per-key fixed-window rate limiter (pure: time is passed in).
#include "daemon/logging.hpp"

namespace essd::logging {

RateLimiter::RateLimiter(int max_lines, MonoMs window_ms, std::size_t max_keys)
    : max_lines_(max_lines), window_ms_(window_ms), max_keys_(max_keys) {}

RateLimiter::Verdict RateLimiter::allow(std::string_view key, MonoMs now) {
  Verdict v;
  auto it = windows_.find(key);
  if (it != windows_.end() && now - it->second.start >= window_ms_) {
    // The key's window ended without expire() being called: report it now,
    // before this line, so the summary is never lost or out of order.
    v.suppressed_before = it->second.suppressed;
    it->second = Window{now, 0, 0};
  }
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) {
      // Too many distinct keys (should not happen: kinds and causes are
      // bounded). Fail open rather than silence a new cause.
      v.emit = true;
      return v;
    }
    it = windows_.emplace(std::string(key), Window{now, 0, 0}).first;
  }
  if (it->second.lines < max_lines_) {
    ++it->second.lines;
    v.emit = true;
  } else {
    ++it->second.suppressed;
  }
  return v;
}

std::vector<RateLimiter::Summary> RateLimiter::expire(MonoMs now) {
  std::vector<Summary> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now - it->second.start >= window_ms_) {
      if (it->second.suppressed > 0) out.push_back({it->first, it->second.suppressed});
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace essd::logging
