// SPDX-License-Identifier: MIT
#pragma once
// CanBus over a raw SocketCAN socket (can0, vcan0). Kernel receive filter
// (everything on the module bus; the host link's ids on its own), error frames mapped to LinkState,
// receive-queue overflow counted, transmit never blocks (bounded queue, retried when the socket can
// take more). A missing interface or a kernel without AF_CAN puts the link down with that detail
// and is retried every second.
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
#include "hal/can/can_bus.hpp"

namespace essd::hal {

/// Kernel-free description of one CAN_RAW_FILTER entry: a frame passes when
/// its kind (standard/extended) equals `extended` and (id & mask) == (this->id & mask).
struct CanFilter {
  std::uint32_t id = 0;
  std::uint32_t mask = 0x7FF;
  bool extended = false;
  bool operator==(const CanFilter&) const = default;
};

/// Every standard and extended frame, remote ones included: the codec counts
/// what the module bus does not define (docs/codec.md: unknown identifiers,
/// remote and extended frames are "ignored and counted").
std::vector<CanFilter> module_bus_filters();
/// Everything (standard and extended).
std::vector<CanFilter> accept_all_filters();

struct SocketCanOptions {
  std::vector<CanFilter> filters = module_bus_filters();
  std::chrono::milliseconds retry_interval{1000};  // reopen attempts while down
  std::chrono::milliseconds enobufs_retry{10};     // ENOBUFS is not a writability event
  std::size_t tx_queue_limit = 64;
};

class SocketCanBus : public CanBus {
 public:
  /// bitrate/restart_ms > 0: configure the interface through libsocketcan
  /// (needs CAP_NET_ADMIN; a refusal is reported in the state detail and I/O
  /// carries on with the interface as it is).
  SocketCanBus(boost::asio::io_context& io, std::string interface, int bitrate = 0,
               int restart_ms = 0, SocketCanOptions options = {});
  ~SocketCanBus() override;
  SocketCanBus(const SocketCanBus&) = delete;
  SocketCanBus& operator=(const SocketCanBus&) = delete;

  void start(FrameHandler on_frame, StateHandler on_state) override;
  void stop() override;
  bool send(const CanFrame& frame) override;
  bool send_emergency(const CanFrame& frame) noexcept override;
  LinkState state() const override { return state_; }
  std::map<std::string, std::uint64_t> counters() const override;
  std::string describe() const override { return "socketcan:" + interface_; }

  /// Result of the last libsocketcan configuration attempt ("" if none/ok).
  const std::string& config_note() const { return config_note_; }

 private:
  void try_open();
  std::string set_socket_options(int fd) const;
  LinkState initial_state() const;
  void configure_interface();
  void schedule_retry();
  void close_socket(const std::string& why);
  void wait_readable();
  void drain_socket();
  void handle_error_frame(std::uint32_t class_bits, const std::uint8_t* data);
  bool write_now(const CanFrame& frame, int& err);
  void flush_queue();
  void wait_writable(bool enobufs);
  void schedule_bus_off_restart();
  void set_state(LinkState s, const std::string& detail);

  boost::asio::io_context& io_;
  std::string interface_;
  int bitrate_;
  int restart_ms_;
  SocketCanOptions options_;

  std::optional<boost::asio::posix::stream_descriptor> sock_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer tx_timer_;
  boost::asio::steady_timer restart_timer_;
  Lifetime lifetime_;  // guards the handlers that capture this
  std::uint64_t generation_ = 0;
  bool running_ = false;
  bool reported_ = false;
  bool write_wait_ = false;
  std::string config_note_;
  std::uint32_t last_ovfl_ = 0;

  LinkState state_ = LinkState::down;
  std::deque<CanFrame> txq_;

  FrameHandler on_frame_;
  StateHandler on_state_;

  std::uint64_t rx_frames_ = 0, tx_frames_ = 0, tx_dropped_ = 0, rx_errors_ = 0;
  std::uint64_t error_frames_ = 0, rxq_overflow_ = 0, bus_off_count_ = 0;
};

}  // namespace essd::hal
