// SPDX-License-Identifier: MIT
#pragma once
// The module-bus end of bench_e2e: a raw SocketCAN socket (CTRL only), or the
// master of a pty acting as a Lawicel SLCAN adapter for essd (answers the
// set-up commands, acknowledges transmitted frames with "z\r", passes frames
// only while the channel is open). Header-only, benchmark tooling.
#include <fcntl.h>
#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "essd/can_frame.hpp"
#include "essd/slcan.hpp"

namespace essd::bench {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class Link {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~Link() = default;
  virtual void send(const CanFrame& f) = 0;
  /// Frames received until `until` or until at least one arrived.
  virtual std::vector<CanFrame> receive(Clock::time_point until) = 0;
  /// Forget the previous peer (before a new essd starts).
  virtual void reset() {}
  virtual std::string device() const { return ""; }
  /// Pass frames even before essd opened the channel (a floor reader's pty).
  virtual void force_open() {}

  static std::unique_ptr<Link> open_can(const std::string& iface);
  static std::unique_ptr<Link> open_pty();

 protected:
  static int timeout_ms(Clock::time_point until) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::microseconds>(until - Clock::now()).count();
    return ms <= 0 ? 0 : static_cast<int>((ms + 999) / 1000);
  }
};

class CanLink : public Link {
 public:
  explicit CanLink(const std::string& iface)
      : fd_(::socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK, CAN_RAW)) {
    if (fd_.get() < 0) throw std::runtime_error("socket(PF_CAN) failed");
    can_filter filter{0x080, CAN_SFF_MASK | CAN_EFF_FLAG | CAN_RTR_FLAG};
    ::setsockopt(fd_.get(), SOL_CAN_RAW, CAN_RAW_FILTER, &filter, sizeof filter);
    sockaddr_can addr{};
    addr.can_family = AF_CAN;
    addr.can_ifindex = static_cast<int>(::if_nametoindex(iface.c_str()));
    if (addr.can_ifindex == 0 ||
        ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot bind to " + iface);
    }
  }
  void send(const CanFrame& f) override {
    can_frame k{};
    k.can_id = f.id;
    k.can_dlc = f.len;
    std::memcpy(k.data, f.data.data(), 8);
    while (::write(fd_.get(), &k, sizeof k) != sizeof k) {
      if (errno != EAGAIN && errno != ENOBUFS) throw std::runtime_error("CAN write failed");
      pollfd p{fd_.get(), POLLOUT, 0};
      ::poll(&p, 1, 10);
    }
  }
  std::vector<CanFrame> receive(Clock::time_point until) override {
    std::vector<CanFrame> out;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms(until)) <= 0) return out;
    can_frame k{};
    while (::read(fd_.get(), &k, sizeof k) == sizeof k) {
      CanFrame f;
      f.id = k.can_id & CAN_SFF_MASK;
      f.len = k.can_dlc;
      std::memcpy(f.data.data(), k.data, 8);
      out.push_back(f);
    }
    return out;
  }
  void reset() override {
    can_frame k{};
    while (::read(fd_.get(), &k, sizeof k) == sizeof k) {
    }
  }

 private:
  Fd fd_;
};

class PtyLink : public Link {
 public:
  PtyLink() : master_(::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK)) {
    if (master_.get() < 0 || ::grantpt(master_.get()) != 0 || ::unlockpt(master_.get()) != 0) {
      throw std::runtime_error("posix_openpt failed");
    }
    path_ = ::ptsname(master_.get());
    // Hold the slave open so that the master never sees a hang-up between
    // two essd runs, and make it raw (no echo of our frames back to us).
    slave_ = std::make_unique<Fd>(::open(path_.c_str(), O_RDWR | O_NOCTTY));
    termios t{};
    ::tcgetattr(slave_->get(), &t);
    ::cfmakeraw(&t);
    ::tcsetattr(slave_->get(), TCSANOW, &t);
  }
  std::string device() const override { return path_; }
  void force_open() override { open_ = true; }
  void send(const CanFrame& f) override {
    if (!open_) return;  // a closed adapter passes nothing
    write_all(slcan::encode_frame(f));
  }
  std::vector<CanFrame> receive(Clock::time_point until) override {
    std::vector<CanFrame> out;
    pollfd p{master_.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms(until)) <= 0) return out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(master_.get(), buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == '\r') {
          line_done(out);
          line_.clear();
        } else if (buf[i] != '\n' && line_.size() < 64) {
          line_.push_back(buf[i]);
        }
      }
    }
    return out;
  }
  void reset() override {
    open_ = false;
    line_.clear();
    ::tcflush(slave_->get(), TCIOFLUSH);
  }

 private:
  void line_done(std::vector<CanFrame>& out) {
    if (line_.empty()) return;
    switch (line_[0]) {
      case 'O':
        open_ = true;
        write_all("\r");
        return;
      case 'C':
        open_ = false;
        write_all("\r");
        return;
      case 't': {
        std::optional<CanFrame> f;
        slcan::Decoder d;
        d.feed(line_ + "\r", [&](const slcan::Output& o) {
          if (o.kind == slcan::Output::Kind::frame) f = o.frame;
        });
        write_all(f && open_ ? "z\r" : "\a");
        if (f && open_) out.push_back(*f);
        return;
      }
      default:
        write_all("\r");
        return;
    }
  }
  void write_all(const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
      const auto n = ::write(master_.get(), s.data() + done, s.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else {
        pollfd p{master_.get(), POLLOUT, 0};
        if (::poll(&p, 1, 100) <= 0) return;  // nobody reads: drop, as an adapter would
      }
    }
  }
  Fd master_;
  std::unique_ptr<Fd> slave_;
  std::string path_;
  std::string line_;
  bool open_ = false;
};

inline std::unique_ptr<Link> Link::open_can(const std::string& iface) {
  return std::make_unique<CanLink>(iface);
}
inline std::unique_ptr<Link> Link::open_pty() {
  return std::make_unique<PtyLink>();
}

}  // namespace essd::bench
