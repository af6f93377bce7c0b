// SPDX-License-Identifier: MIT
// SocketCanBus receive and transmit paths (open/close live in socketcan_bus.cpp).
#include <libsocketcan.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hal/can/emergency_write.hpp"
#include "hal/can/socketcan_bus.hpp"

namespace essd::hal {

namespace asio = boost::asio;

namespace {
constexpr int kMaxFramesPerWakeup = 64;  // bounded loop: other handlers get their turn
}  // namespace

void SocketCanBus::drain_socket() {
  const std::uint64_t gen = generation_;
  const int fd = sock_->native_handle();
  for (int i = 0; i < kMaxFramesPerWakeup; ++i) {
    can_frame cf{};
    iovec iov{&cf, sizeof cf};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint32_t))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      const int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (err == EINTR) continue;
      if (err == ENETDOWN || err == ENODEV || err == ENXIO) {
        // Interface down or removed: reopen on the retry timer once it is back.
        close_socket("interface " + interface_ + (err == ENETDOWN ? " went down" : " vanished"));
        return;
      }
      ++rx_errors_;  // a pending socket error is reported once, then cleared
      continue;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
        std::uint32_t drops = 0;
        std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
        rxq_overflow_ += static_cast<std::uint32_t>(drops - last_ovfl_);  // cumulative, wraps
        last_ovfl_ = drops;
      }
    }
    if (static_cast<std::size_t>(n) != sizeof cf) {
      ++rx_errors_;  // CAN FD or truncated: not a classic frame
      continue;
    }
    if (cf.can_id & CAN_ERR_FLAG) {
      ++error_frames_;
      handle_error_frame(cf.can_id & CAN_ERR_MASK, cf.data);
      if (gen != generation_ || !running_) return;
      continue;
    }
    CanFrame f;
    f.extended = (cf.can_id & CAN_EFF_FLAG) != 0;
    f.remote = (cf.can_id & CAN_RTR_FLAG) != 0;
    f.id = cf.can_id & (f.extended ? CAN_EFF_MASK : CAN_SFF_MASK);
    f.len = std::min<std::uint8_t>(cf.can_dlc, 8);
    if (!f.remote) std::memcpy(f.data.data(), cf.data, f.len);
    ++rx_frames_;
    if (on_frame_) on_frame_(f);
    if (gen != generation_ || !running_) return;  // the handler stopped us
  }
  wait_readable();
}

void SocketCanBus::handle_error_frame(std::uint32_t class_bits, const std::uint8_t* data) {
  if (class_bits & CAN_ERR_RESTARTED)
    set_state(LinkState::up, interface_ + " controller restarted");
  if (class_bits & CAN_ERR_CRTL) {
    const std::uint8_t crtl = data[1];
    if ((crtl & (CAN_ERR_CRTL_RX_PASSIVE | CAN_ERR_CRTL_TX_PASSIVE)) && state_ == LinkState::up) {
      set_state(LinkState::error_passive, interface_ + " controller error-passive");
    } else if ((crtl & CAN_ERR_CRTL_ACTIVE) && state_ == LinkState::error_passive) {
      set_state(LinkState::up, interface_ + " controller back to error-active");
    }
  }
  if ((class_bits & CAN_ERR_BUSOFF) && state_ != LinkState::bus_off) {
    ++bus_off_count_;
    set_state(LinkState::bus_off, interface_ + " bus off");
    schedule_bus_off_restart();
  }
}

void SocketCanBus::schedule_bus_off_restart() {
  // Only when the operator asked for automatic restarts: if the kernel's own
  // restart-ms could not be set (no CAP_NET_ADMIN), try can_do_restart ourselves.
  if (restart_ms_ <= 0) return;
  restart_timer_.expires_after(std::chrono::milliseconds(restart_ms_));
  restart_timer_.async_wait(
      lifetime_.guard([this, gen = generation_](boost::system::error_code ec) {
        if (ec || gen != generation_ || state_ != LinkState::bus_off) return;
        ::can_do_restart(interface_.c_str());  // EBUSY if the kernel already restarted it
      }));
}

bool SocketCanBus::write_now(const CanFrame& frame, int& err) {
  can_frame cf{};
  cf.can_id =
      frame.extended ? ((frame.id & CAN_EFF_MASK) | CAN_EFF_FLAG) : (frame.id & CAN_SFF_MASK);
  if (frame.remote) cf.can_id |= CAN_RTR_FLAG;
  cf.can_dlc = std::min<std::uint8_t>(frame.len, 8);
  std::memcpy(cf.data, frame.data.data(), cf.can_dlc);
  const ssize_t n = ::write(sock_->native_handle(), &cf, sizeof cf);
  if (n == static_cast<ssize_t>(sizeof cf)) return true;
  err = n < 0 ? errno : EIO;
  return false;
}

bool SocketCanBus::send_emergency(const CanFrame& frame) noexcept {
  if (!sock_) return false;
  can_frame cf{};
  cf.can_id =
      frame.extended ? ((frame.id & CAN_EFF_MASK) | CAN_EFF_FLAG) : (frame.id & CAN_SFF_MASK);
  if (frame.remote) cf.can_id |= CAN_RTR_FLAG;
  cf.can_dlc = frame.len > 8 ? 8 : frame.len;
  std::memcpy(cf.data, frame.data.data(), cf.can_dlc);
  return emergency_write(sock_->native_handle(), &cf, sizeof cf, 50);
}

bool SocketCanBus::send(const CanFrame& frame) {
  if (!sock_) {
    ++tx_dropped_;
    return false;
  }
  if (!txq_.empty() || write_wait_) {
    if (txq_.size() >= options_.tx_queue_limit) {
      ++tx_dropped_;
      return false;
    }
    txq_.push_back(frame);
    return true;
  }
  int err = 0;
  if (write_now(frame, err)) {
    ++tx_frames_;
    return true;
  }
  if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
    txq_.push_back(frame);
    wait_writable(err == ENOBUFS);
    return true;
  }
  ++tx_dropped_;  // ENETDOWN and the like: the reader notices and reopens
  return false;
}

void SocketCanBus::flush_queue() {
  while (!txq_.empty()) {
    int err = 0;
    if (write_now(txq_.front(), err)) {
      ++tx_frames_;
      txq_.pop_front();
      continue;
    }
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
      wait_writable(err == ENOBUFS);
      return;
    }
    ++tx_dropped_;
    txq_.pop_front();
  }
}

void SocketCanBus::wait_writable(bool enobufs) {
  write_wait_ = true;
  auto resume = lifetime_.guard([this, gen = generation_](boost::system::error_code ec) {
    if (ec || gen != generation_ || !running_) return;
    write_wait_ = false;
    flush_queue();
  });
  if (enobufs) {
    // ENOBUFS means the device queue is full while the socket still polls
    // writable; waiting for writability would spin, so back off on a timer.
    tx_timer_.expires_after(options_.enobufs_retry);
    tx_timer_.async_wait(std::move(resume));
  } else {
    sock_->async_wait(asio::posix::descriptor_base::wait_write, std::move(resume));
  }
}

}  // namespace essd::hal
