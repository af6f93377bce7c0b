// SPDX-License-Identifier: MIT
#pragma once
// The Pylontech-compatible host CAN link on the daemon's io_context: sends
// the encoder's frames every period_ms, each set encoded from the state at
// the moment it is sent (the snapshot source), tracks the
// inverter keep-alive, and turns every link problem into an event and a
// counter (never an exception into the loop). Single-threaded: all calls on
// the io_context's thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "essd/config.hpp"
#include "essd/event.hpp"
#include "essd/lifetime.hpp"
#include "essd/system_state.hpp"
#include "hal/can/can_bus.hpp"
#include "host/keepalive.hpp"
#include "host/link_events.hpp"
#include "host/pylontech.hpp"

namespace essd::host {

class HostCanLink {
 public:
  HostCanLink(boost::asio::io_context& io, const HostCanConfig& config,
              std::unique_ptr<hal::CanBus> bus);
  ~HostCanLink();
  HostCanLink(const HostCanLink&) = delete;
  HostCanLink& operator=(const HostCanLink&) = delete;

  void start();
  void stop();
  /// Latest state; the next period's frames are encoded from it unless a
  /// snapshot source is set. Until the first update the frames carry a
  /// default snapshot: no module, limits 0.
  void update(const SystemSnapshot& snapshot);
  /// docs/host-links.md "Rules": every frame carries the state at the moment it is sent.
  /// When set, each frame set is encoded from source() at send time.
  void set_snapshot_source(std::function<SystemSnapshot()> source) { source_ = std::move(source); }
  /// The whole frame set at once (a path opened), then the period goes on
  /// from now.
  void send_now();
  std::vector<Event> take_events();
  /// frames_sent, send_errors, periods, keepalive_rx, keepalive_age_ms (-1 none),
  /// keepalive_lost (0/1), link_state (hal::LinkState as int), link_errors,
  /// saturations, rx_other, immediate_sends, plus the bus's own counters prefixed "bus_".
  std::map<std::string, std::int64_t> counters() const;

  /// Test hook: the monotonic clock (default std::chrono::steady_clock).
  void set_clock(std::function<MonoMs()> clock) { clock_ = std::move(clock); }
  /// Sends one period's frames now (the timer calls it; tests may too).
  void send_period();

 private:
  void arm_timer();
  void on_frame(const CanFrame& frame);
  void on_state(hal::LinkState state, const std::string& detail);
  void event(Severity sev, std::string cause, std::string message);
  MonoMs now() const { return clock_(); }

  HostCanConfig config_;
  PylontechOptions options_;
  std::unique_ptr<hal::CanBus> bus_;
  boost::asio::steady_timer timer_;
  std::function<MonoMs()> clock_;
  Lifetime lifetime_;  // guards the handlers that capture this
  bool running_ = false;

  SystemSnapshot snapshot_;
  std::function<SystemSnapshot()> source_;
  std::uint64_t immediate_sends_ = 0;
  KeepaliveMonitor keepalive_;
  std::set<std::string> saturated_;  // fields saturated now (event logged on entry)
  bool send_failing_ = false;
  hal::LinkState link_state_ = hal::LinkState::down;
  LinkEvents events_;

  std::uint64_t frames_sent_ = 0, send_errors_ = 0, periods_ = 0, link_errors_ = 0,
                saturations_ = 0, rx_other_ = 0;
};

}  // namespace essd::host
