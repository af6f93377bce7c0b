// SPDX-License-Identifier: MIT
#include "hal/can/slcan_bus.hpp"

#include <sys/ioctl.h>
#include <termios.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>
#include <utility>

#include "essd/teardown.hpp"
#include "hal/can/emergency_write.hpp"
#include "hal/serial/tty.hpp"

namespace essd::hal {

namespace asio = boost::asio;

namespace {
// Exclusive mode lives on the tty, not the fd: clear it so that a reopen (or
// another tool, once we are done) is not refused while someone else still
// holds the tty. Fails harmlessly on a vanished device.
void release(std::optional<asio::posix::stream_descriptor>& tty) {
  if (!tty) return;
  ::ioctl(tty->native_handle(), TIOCNXCL);
  tty.reset();
}
}  // namespace

SlcanBus::SlcanBus(asio::io_context& io, std::string device, int baud, int bitrate,
                   SlcanOptions options)
    : io_(io),
      device_(std::move(device)),
      baud_(baud),
      setup_(slcan::setup_sequence(bitrate)),  // throws for an unsupported bitrate
      options_(options),
      retry_timer_(io),
      reply_timer_(io) {
  if (!is_supported_baud(baud_)) {
    throw std::invalid_argument("SLCAN: unsupported baud rate " + std::to_string(baud_));
  }
  if (device_.empty()) throw std::invalid_argument("SLCAN: empty device path");
}

SlcanBus::~SlcanBus() {
  essd::teardown_in_destructor("SlcanBus", [this] { stop(); });
}

void SlcanBus::start(FrameHandler on_frame, StateHandler on_state) {
  stop();
  on_frame_ = std::move(on_frame);
  on_state_ = std::move(on_state);
  running_ = true;
  reported_ = false;
  try_open();
}

void SlcanBus::stop() {
  running_ = false;
  ++generation_;
  retry_timer_.cancel();
  reply_timer_.cancel();
  release(tty_);
  txq_.clear();
  writing_ = false;
  phase_ = Phase::closed;
  state_ = LinkState::down;
  decoder_.reset();
}

std::map<std::string, std::uint64_t> SlcanBus::counters() const {
  const auto& d = decoder_.counters();
  return {
      {"rx_frames", rx_frames_},
      {"tx_frames", tx_frames_},
      {"tx_errors", tx_errors_},
      {"tx_dropped", tx_dropped_},
      {"rx_errors", d.garbage + d.overlong},
      {"slcan_garbage", d.garbage},
      {"slcan_overlong", d.overlong},
      {"reopen_count", reopen_count_},
  };
}

bool SlcanBus::send_emergency(const CanFrame& frame) noexcept {
  if (!tty_ || phase_ != Phase::open) return false;
  // slcan::encode_frame's format, into a stack buffer. The leading CR ends
  // any line an interrupted asynchronous write left half-sent (the adapter
  // rejects that fragment and takes the next line).
  static constexpr char kHex[] = "0123456789ABCDEF";
  char line[32];
  std::size_t n = 0;
  line[n++] = '\r';
  const int digits = frame.extended ? 8 : 3;
  line[n++] = frame.extended ? (frame.remote ? 'R' : 'T') : (frame.remote ? 'r' : 't');
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    line[n++] = kHex[(frame.id >> shift) & 0xF];
  const std::uint8_t len = frame.len > 8 ? 8 : frame.len;
  line[n++] = static_cast<char>('0' + len);
  for (std::uint8_t i = 0; !frame.remote && i < len; ++i) {
    line[n++] = kHex[frame.data[i] >> 4];
    line[n++] = kHex[frame.data[i] & 0xF];
  }
  line[n++] = '\r';
  return emergency_write(tty_->native_handle(), line, n, 50);
}

bool SlcanBus::send(const CanFrame& frame) {
  if (phase_ != Phase::open || txq_.size() >= options_.tx_queue_limit) {
    ++tx_dropped_;
    return false;
  }
  enqueue(slcan::encode_frame(frame), true);
  return true;
}

void SlcanBus::set_state(LinkState s, const std::string& detail) {
  // One report per change; the first report after start() always goes out
  // so that "no such device" at start-up is not silent.
  if (s == state_ && reported_) return;
  state_ = s;
  reported_ = true;
  if (on_state_) on_state_(s, detail);
}

void SlcanBus::try_open() {
  if (!running_) return;
  std::string error;
  UniqueFd fd = open_tty(device_, baud_, error);
  if (!fd) {
    set_state(LinkState::down, error);
    schedule_retry();
    return;
  }
  ++generation_;
  boost::system::error_code ec;
  tty_.emplace(io_);
  tty_->assign(fd.release(), ec);  // the descriptor owns the fd from here on
  if (ec) {
    tty_.reset();
    set_state(LinkState::down, device_ + ": " + ec.message());
    schedule_retry();
    return;
  }
  decoder_.reset();
  phase_ = Phase::setup;
  setup_index_ = 0;
  start_read();
  send_setup_command();
}

void SlcanBus::schedule_retry() {
  retry_timer_.expires_after(options_.retry_interval);
  retry_timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    try_open();
  }));
}

void SlcanBus::close_device(const std::string& why) {
  ++generation_;
  reply_timer_.cancel();
  release(tty_);
  decoder_.reset();
  for (const auto& line : txq_) {
    if (line.frame) ++tx_dropped_;
  }
  txq_.clear();
  writing_ = false;
  phase_ = Phase::closed;
  set_state(LinkState::down, why);
  schedule_retry();
}

void SlcanBus::start_read() {
  tty_->async_read_some(
      asio::buffer(rbuf_),
      lifetime_.guard([this, gen = generation_](const boost::system::error_code& ec,
                                                std::size_t n) { on_read(ec, n, gen); }));
}

void SlcanBus::on_read(const boost::system::error_code& ec, std::size_t n, std::uint64_t gen) {
  if (gen != generation_ || !running_) return;
  if (ec) {
    // EOF, EIO (pty peer gone), ENXIO/ENODEV (USB unplug) and anything else:
    // the descriptor is unusable. Closing and retrying on a timer cannot spin.
    close_device(device_ + ": device lost (" + ec.message() + ")");
    return;
  }
  decoder_.feed(std::string_view(rbuf_.data(), n), [&](const slcan::Output& out) {
    if (gen == generation_ && running_) handle_output(out);
  });
  if (gen == generation_ && running_) start_read();
}

void SlcanBus::handle_output(const slcan::Output& out) {
  using Kind = slcan::Output::Kind;
  switch (out.kind) {
    case Kind::frame:
      ++rx_frames_;
      if (on_frame_) on_frame_(out.frame);
      return;
    case Kind::ok:
    case Kind::tx_ack:
      if (phase_ == Phase::setup) setup_reply(false);
      return;
    case Kind::error:
      if (phase_ == Phase::setup) {
        setup_reply(true);
      } else if (phase_ == Phase::open) {
        ++tx_errors_;  // the adapter refused a frame we sent
      }
      return;
  }
}

void SlcanBus::send_setup_command() {
  enqueue(setup_[setup_index_], false);
  reply_timer_.expires_after(options_.reply_timeout);
  reply_timer_.async_wait(lifetime_.guard([this, gen = generation_](boost::system::error_code ec) {
    if (ec || gen != generation_ || phase_ != Phase::setup) return;
    std::string cmd = setup_[setup_index_];
    cmd.pop_back();  // drop '\r' for the message
    close_device(device_ + ": adapter did not answer " + cmd);
  }));
}

void SlcanBus::setup_reply(bool error) {
  reply_timer_.cancel();
  // "C" fails on an adapter whose channel is already closed: tolerated.
  if (error && setup_index_ != 0) {
    std::string cmd = setup_[setup_index_];
    cmd.pop_back();
    close_device(device_ + ": adapter refused " + cmd);
    return;
  }
  if (++setup_index_ < setup_.size()) {
    send_setup_command();
    return;
  }
  phase_ = Phase::open;
  if (ever_up_) ++reopen_count_;
  const std::string detail = (ever_up_ ? "reopened " : "opened ") + device_;
  ever_up_ = true;
  set_state(LinkState::up, detail);
}

void SlcanBus::enqueue(std::string line, bool frame) {
  txq_.push_back(TxLine{std::move(line), frame});
  if (!writing_) write_next();
}

void SlcanBus::write_next() {
  if (txq_.empty() || !tty_) return;
  writing_ = true;
  asio::async_write(
      *tty_, asio::buffer(txq_.front().text),
      lifetime_.guard([this, gen = generation_](const boost::system::error_code& ec, std::size_t) {
        if (gen != generation_ || !running_) return;
        writing_ = false;
        if (ec) {
          close_device(device_ + ": write failed (" + ec.message() + ")");
          return;
        }
        if (txq_.front().frame) ++tx_frames_;
        txq_.pop_front();
        write_next();
      }));
}

}  // namespace essd::hal
