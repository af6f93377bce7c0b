// SPDX-License-Identifier: MIT
#include "sim/pty_port.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "essd/teardown.hpp"
#include "hal/serial/pty.hpp"

namespace essd::sim {
namespace {

constexpr auto kRetry = std::chrono::milliseconds(100);

}  // namespace

PtyPort::PtyPort(boost::asio::io_context& io, TxHandler on_tx, NoteHandler on_note)
    : on_tx_(std::move(on_tx)), on_note_(std::move(on_note)), master_(io), retry_(io) {}

PtyPort::~PtyPort() {
  essd::teardown_in_destructor("PtyPort", [this] { stop(); });
}

std::string PtyPort::open() {
  std::string slave;
  std::string error;
  UniqueFd fd = hal::open_pty_master(slave, error);
  if (!fd) throw std::runtime_error(error);
  master_.assign(fd.release());  // owned by master_ from here
  return slave;
}

void PtyPort::start() {
  if (running_ || !master_.is_open()) return;
  running_ = true;
  wait_read();
}

void PtyPort::stop() {
  if (!running_) return;
  running_ = false;
  lifetime_.renew();
  retry_.cancel();
  boost::system::error_code ec;
  master_.cancel(ec);
}

void PtyPort::wait_read() {
  master_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     lifetime_.guard([this](const boost::system::error_code& ec) {
                       if (ec == boost::asio::error::operation_aborted) return;
                       read_some();
                     }));
}

void PtyPort::read_some() {
  char buf[512];
  std::vector<CanFrame> tx;
  std::string reply;
  bool gone = false;
  for (;;) {
    const ssize_t n = ::read(master_.native_handle(), buf, sizeof buf);
    if (n > 0) {
      host_connected();
      adapter_.feed(std::string_view(buf, static_cast<std::size_t>(n)), reply, tx);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      host_connected();  // opened, nothing written yet
      break;
    }
    // EIO (or EOF): no slave open.
    gone = true;
    break;
  }
  // The frames read before the host went away are delivered first: a host
  // that writes its last frame and exits (essd's final CTRL on a crash)
  // reaches us as data and hang-up in one read.
  const auto watch = lifetime_.watch();  // on_tx_ may stop or destroy us
  for (const auto& f : tx) {
    if (on_tx_) on_tx_(f);
    if (watch.ended()) return;
  }
  if (gone) {
    hangup();  // poll would report HUP forever: a timer retries
    return;
  }
  outq_ += reply;
  flush();
  if (!hung_up_) wait_read();
}

/// A read that did not fail with EIO: a host has the slave open.
void PtyPort::host_connected() {
  if (!hung_up_) return;
  hung_up_ = false;
  on_note_("pty: host connected");
}

void PtyPort::hangup() {
  if (!hung_up_) {
    // Flush once, at the moment the host went away: nothing stale for the
    // next opener, and nothing it writes after reopening is thrown away.
    hal::flush_tty(master_.native_handle());
    adapter_.reset();
    outq_.clear();
    write_wait_ = false;
    hung_up_ = true;
    on_note_("pty: host closed the port; waiting for it to reopen");
  }
  retry_later();
}

void PtyPort::retry_later() {
  retry_.expires_after(kRetry);
  retry_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    read_some();
  }));
}

void PtyPort::forward(const CanFrame& frame) {
  if (!running_ || hung_up_) return;
  const std::string line = adapter_.forward(frame);
  if (line.empty()) return;
  if (outq_.size() + line.size() > kMaxQueue) {
    ++tx_dropped_;  // the host is not reading: drop, never block
    return;
  }
  outq_ += line;
  flush();
}

void PtyPort::flush() {
  while (!outq_.empty() && !write_wait_ && !hung_up_) {
    const ssize_t n = ::write(master_.native_handle(), outq_.data(), outq_.size());
    if (n > 0) {
      outq_.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_write();
    } else {
      // EIO: the slave is gone; the read side notices and retries.
      outq_.clear();
    }
  }
}

void PtyPort::wait_write() {
  write_wait_ = true;
  master_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                     lifetime_.guard([this](const boost::system::error_code& ec) {
                       if (ec == boost::asio::error::operation_aborted) return;
                       write_wait_ = false;
                       flush();
                     }));
}

}  // namespace essd::sim
