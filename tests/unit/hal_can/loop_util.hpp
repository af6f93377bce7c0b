// SPDX-License-Identifier: MIT
#pragma once
// Runs an io_context until a condition holds or a real-time deadline passes.
// Real I/O (ptys, sockets) needs wall time; nothing sleeps, we wait on the loop.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace essd::hal::testing {

inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(
        std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::milliseconds(20)));
  }
  return true;
}

/// Runs the loop for a fixed span (to show that something does NOT happen).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds span) {
  run_until(
      io, [] { return false; }, span);
}

}  // namespace essd::hal::testing
