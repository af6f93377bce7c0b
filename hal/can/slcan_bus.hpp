// SPDX-License-Identifier: MIT
#pragma once
// CanBus over a Lawicel SLCAN adapter on a tty (docs/codec.md "SLCAN").
// Opens the tty raw and non-blocking, runs the set-up sequence (C, S<n>, O)
// one command at a time, then streams frames. Survives the device vanishing
// (USB unplug, pty peer closing): link down, close, retry every second, and
// the set-up sequence runs again on every reopen.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "essd/lifetime.hpp"
#include "essd/slcan.hpp"
#include "hal/can/can_bus.hpp"

namespace essd::hal {

struct SlcanOptions {
  std::chrono::milliseconds retry_interval{1000};  // reopen attempts while down
  std::chrono::milliseconds reply_timeout{1000};   // per set-up command
  std::size_t tx_queue_limit = 64;                 // lines waiting for the tty
};

class SlcanBus : public CanBus {
 public:
  /// Throws std::invalid_argument for a baud or bitrate the adapter cannot do.
  SlcanBus(boost::asio::io_context& io, std::string device, int baud, int bitrate = 500000,
           SlcanOptions options = {});
  ~SlcanBus() override;
  SlcanBus(const SlcanBus&) = delete;
  SlcanBus& operator=(const SlcanBus&) = delete;

  void start(FrameHandler on_frame, StateHandler on_state) override;
  void stop() override;
  bool send(const CanFrame& frame) override;
  bool send_emergency(const CanFrame& frame) noexcept override;
  LinkState state() const override { return state_; }
  std::map<std::string, std::uint64_t> counters() const override;
  std::string describe() const override { return "slcan:" + device_; }

 private:
  enum class Phase { closed, setup, open };

  void try_open();
  void schedule_retry();
  void close_device(const std::string& why);
  void start_read();
  void on_read(const boost::system::error_code& ec, std::size_t n, std::uint64_t gen);
  void handle_output(const slcan::Output& out);
  void send_setup_command();
  void setup_reply(bool error);
  void enqueue(std::string line, bool frame);
  void write_next();
  void set_state(LinkState s, const std::string& detail);

  boost::asio::io_context& io_;
  std::string device_;
  int baud_;
  std::vector<std::string> setup_;
  SlcanOptions options_;

  std::optional<boost::asio::posix::stream_descriptor> tty_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer reply_timer_;
  // Guards the handlers that capture this: once the bus is destroyed they
  // return without touching it. generation_ tells a handler whether the
  // descriptor it was started on is still the current one.
  Lifetime lifetime_;
  std::uint64_t generation_ = 0;
  bool running_ = false;
  bool ever_up_ = false;
  bool reported_ = false;

  Phase phase_ = Phase::closed;
  std::size_t setup_index_ = 0;
  LinkState state_ = LinkState::down;
  slcan::Decoder decoder_;
  std::array<char, 512> rbuf_{};
  struct TxLine {
    std::string text;
    bool frame = false;  // a `t` line (counted in tx_frames) or a set-up command
  };
  std::deque<TxLine> txq_;
  bool writing_ = false;

  FrameHandler on_frame_;
  StateHandler on_state_;

  std::uint64_t rx_frames_ = 0, tx_frames_ = 0, tx_errors_ = 0, tx_dropped_ = 0;
  std::uint64_t reopen_count_ = 0;
};

}  // namespace essd::hal
