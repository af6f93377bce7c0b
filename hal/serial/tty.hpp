#pragma once
// tty helpers for serial transports (SLCAN adapters, Modbus RTU): an RAII
// file descriptor and a non-blocking, exclusive, raw 8N1 open.
#include <string>

namespace essd::hal {

/// Owns one file descriptor; closes it exactly once. Move-only.
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
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// True for the standard rates 9600..4000000 that open_tty() accepts.
bool is_supported_baud(int baud);

/// Opens a tty O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC, takes it exclusively
/// (TIOCEXCL: a second open fails with EBUSY), and sets raw 8N1 at `baud`
/// without flow control. On failure returns an empty UniqueFd and a message
/// naming the path and the cause ("no such device", "permission denied",
/// "not a tty", "in use by another process", "unsupported baud rate").
UniqueFd open_tty(const std::string& path, int baud, std::string& error);

}  // namespace essd::hal
