// SPDX-License-Identifier: MIT
#pragma once
// ess-sim's SLCAN side: a pty master on which the simulator behaves like a
// Lawicel USB adapter (sim/slcan_adapter.hpp). The controller opens the
// slave path as its serial device. While no slave is open the master reads
// EIO (and polls POLLHUP, so it cannot be waited on): then the port retries
// on a timer instead of spinning, and starts afresh (adapter closed, queues
// flushed) when a slave is open again.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "essd/can_frame.hpp"
#include "essd/lifetime.hpp"
#include "sim/slcan_adapter.hpp"

namespace essd::sim {

class PtyPort {
 public:
  using TxHandler = std::function<void(const CanFrame&)>;       // frames the host sent
  using NoteHandler = std::function<void(const std::string&)>;  // for stderr

  PtyPort(boost::asio::io_context& io, TxHandler on_tx, NoteHandler on_note);
  ~PtyPort();
  PtyPort(const PtyPort&) = delete;
  PtyPort& operator=(const PtyPort&) = delete;

  /// Creates the pty (raw mode, non-blocking master); returns the slave's
  /// path. Throws std::runtime_error on failure.
  std::string open();
  void start();
  void stop();
  /// A module frame for the host: written only while the adapter is open.
  void forward(const CanFrame& frame);

  std::uint64_t tx_dropped() const { return tx_dropped_; }
  /// The host has opened the CAN channel (its set-up sequence is done).
  bool channel_open() const { return adapter_.is_open(); }

  static constexpr std::size_t kMaxQueue = std::size_t{64} * 1024;

 private:
  void wait_read();
  void read_some();
  void host_connected();
  void hangup();
  void retry_later();
  void flush();
  void wait_write();

  TxHandler on_tx_;
  NoteHandler on_note_;
  boost::asio::posix::stream_descriptor master_;
  boost::asio::steady_timer retry_;
  SlcanAdapter adapter_;
  std::string outq_;
  bool running_ = false;
  bool hung_up_ = false;
  bool write_wait_ = false;
  Lifetime lifetime_;  // guards the handlers that capture this
  std::uint64_t tx_dropped_ = 0;
};

}  // namespace essd::sim
