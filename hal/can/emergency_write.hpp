// SPDX-License-Identifier: MIT
#pragma once
// One synchronous write for CanBus::send_emergency(): the whole buffer on a
// non-blocking fd, waiting with poll() when it is full, for at most
// `timeout_ms`. Only async-signal-safe calls (poll, write, clock_gettime).
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace essd::hal {

inline bool emergency_write(int fd, const void* data, std::size_t len, int timeout_ms) noexcept {
  if (fd < 0) return false;
  const auto* p = static_cast<const unsigned char*>(data);
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n > 0) {
      p += n;
      len -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
      return false;
    }
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const long elapsed =
        (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
    if (elapsed >= timeout_ms) return false;
    pollfd pfd{fd, POLLOUT, 0};
    ::poll(&pfd, 1, static_cast<int>(timeout_ms - elapsed));
  }
  return true;
}

}  // namespace essd::hal
