// SPDX-License-Identifier: MIT
#pragma once
// The SunSpec Modbus RTU slave on the RS232C port, on the daemon's
// io_context. hal::open_tty opens the tty exclusively and configures it
// (speed, parity, raw); its fd is driven non-blocking by Asio: bytes go through the
// sans-IO RtuFramer (3.5-character silence timer) and ModbusSlave, replies
// are written asynchronously. A lost or missing device is reopened every
// 1 s; failures are events and counters, never exceptions into the loop.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "essd/config.hpp"
#include "essd/event.hpp"
#include "essd/lifetime.hpp"
#include "essd/system_state.hpp"
#include "host/link_events.hpp"
#include "host/modbus_rtu.hpp"
#include "host/set_op_gate.hpp"
#include "host/sunspec_map.hpp"

namespace essd::host {

class ModbusLink {
 public:
  ModbusLink(boost::asio::io_context& io, const HostModbusConfig& config, std::string model_name);
  ~ModbusLink();
  ModbusLink(const ModbusLink&) = delete;
  ModbusLink& operator=(const ModbusLink&) = delete;

  void start();
  void stop();
  void update(const SystemSnapshot& snapshot);
  /// docs/host-links.md: a read answers from the state at that moment. When set,
  /// the register image is rebuilt from source() before each request.
  void set_snapshot_source(std::function<SystemSnapshot()> source) { source_ = std::move(source); }
  /// Called when the SetOp state in effect changes (set_op_gate.hpp): true =
  /// DISCONNECT in effect (at once on the write), false = a CONNECT took
  /// effect (no sooner than 5 s after the DISCONNECT it ends).
  void on_set_op(std::function<void(bool disconnect)> callback);
  /// A DISCONNECT restored from before a restart: in effect from now, and
  /// a CONNECT ends it no sooner than 5 s from now. No callback.
  void restore_disconnect();
  bool disconnect_in_effect() const { return gate_.disconnected(); }
  std::vector<Event> take_events();
  /// requests, replies, exceptions, crc_errors, malformed, overruns, dropped
  /// (crc_errors + malformed + overruns), other_unit, broadcasts, writes,
  /// open (0/1), opens, open_failures, link_errors, tx_errors, tx_dropped.
  std::map<std::string, std::int64_t> counters() const;
  bool is_open() const { return open_; }

 private:
  void try_open();
  void schedule_reopen();
  void close_device();
  void device_lost(const std::string& why);
  void start_read();
  bool read_available(bool woke_readable);
  void on_bytes(const std::uint8_t* data, std::size_t len);
  void arm_silence();
  void on_silence_timer();
  void process(const std::vector<std::uint8_t>& frame);
  void queue_reply(std::vector<std::uint8_t> reply);
  void start_write();
  void apply_writes();
  void on_set_op_write(bool disconnect);
  void arm_connect_timer();
  void event(Severity sev, std::string cause, std::string message);
  MonoMs now_ms() const;

  HostModbusConfig config_;
  SunSpecIdentity identity_;
  ModbusSlave slave_;
  RtuFramer framer_;
  boost::asio::posix::stream_descriptor sd_;
  boost::asio::steady_timer silence_timer_;
  boost::asio::steady_timer reopen_timer_;
  boost::asio::steady_timer connect_timer_;  // a CONNECT waiting for its 5 s
  std::chrono::microseconds silence_;
  std::array<std::uint8_t, 512> rx_{};
  std::deque<std::vector<std::uint8_t>> tx_;
  bool writing_ = false;
  std::uint64_t generation_ = 0;  // +1 per close: stale completions are ignored
  bool running_ = false;
  bool open_ = false;
  bool open_failed_reported_ = false;
  bool silence_armed_ = false;
  std::uint64_t silence_seq_ = 0;        // only the latest silence wait may end a frame
  bool last_set_op_disconnect_ = false;  // the value last written
  SetOpGate gate_;
  SystemSnapshot snapshot_;
  std::function<SystemSnapshot()> source_;
  std::function<void(bool)> on_set_op_;
  LinkEvents events_;
  Lifetime lifetime_;  // guards the handlers that capture this
  std::uint64_t opens_ = 0, open_failures_ = 0, link_errors_ = 0, tx_errors_ = 0, tx_dropped_ = 0;
};

}  // namespace essd::host
