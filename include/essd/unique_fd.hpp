// SPDX-License-Identifier: MIT
#pragma once
// The one owned file descriptor of the project: closed exactly once, by its
// destructor or reset(); move-only. Every fd the programs open lives in one
// (or in an Asio descriptor, which closes its own).
#include <unistd.h>

namespace essd {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Gives up ownership (e.g. to an Asio descriptor that closes it).
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  /// Closes the fd now and says how that went (0, or -1 with errno), for a
  /// file whose close error matters: a durable write. The fd is gone either way.
  int close() noexcept {
    const int fd = release();
    return fd < 0 ? 0 : ::close(fd);
  }
  /// Closes the fd held (a close error is not actionable: the fd is gone
  /// either way) and holds `fd` instead.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace essd
