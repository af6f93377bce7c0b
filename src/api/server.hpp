// SPDX-License-Identifier: MIT
#pragma once
// The API's Unix-socket server (docs/api.md "Transport" and "Limits") on the
// daemon's single io_context: accepts clients, sends the hello banner,
// enforces max_clients, and fans out event and (coalesced) status pushes to
// watching sessions.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/backend.hpp"
#include "api/dispatcher.hpp"
#include "api/session.hpp"
#include "api/socket_setup.hpp"
#include "essd/lifetime.hpp"

namespace essd::api {

struct ServerOptions {
  std::string socket_path = "/run/essd/essd.sock";
  std::string group = "essd";              // socket group; "" = keep ours
  std::string admin_group = "essd-admin";  // privileged commands; root always is
  int max_clients = 64;
  int max_clients_per_uid = 16;  // a peer other than root and the admin group
  /// Slots only root and the admin group may take (min(4, max_clients / 2)).
  int reserved_slots = 4;
  /// A session that does not watch and has no request in flight is closed
  /// after this long without a request (0 = never).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  int inherited_fd = -1;         // socket activation (LISTEN_FDS); -1 = create the socket
  bool instance_locked = false;  // the caller holds SOCKET.lock (else start() takes it)
  std::size_t max_queued_bytes = 1 << 20;
  std::chrono::milliseconds status_min_interval{100};  // at most 10 status pushes/s
};

class Server {
 public:
  struct Counters {
    std::uint64_t clients = 0;           // connected now
    std::uint64_t accepted = 0;          // total accepted (including rejected)
    std::uint64_t rejected_full = 0;     // over max_clients (or the unreserved part)
    std::uint64_t rejected_per_uid = 0;  // over max_clients_per_uid
    std::uint64_t dropped_idle = 0;      // idle_timeout
    std::uint64_t dropped_slow = 0;      // > max_queued_bytes not read
    std::uint64_t dropped_long_line = 0;
    std::uint64_t status_pushes = 0;
    std::uint64_t event_pushes = 0;
  };

  Server(boost::asio::io_context& io, Backend& backend, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Create (or adopt) the socket and start accepting. On failure returns
  /// false with a one-line reason. `warnings` receives non-fatal problems.
  bool start(std::string& error, std::vector<std::string>& warnings);
  /// Close the listener and every session; unlinks a socket we created.
  void stop();

  /// Push one event to every watcher.
  void publish_event(const EventRecord& record);
  /// The status may have changed: watchers get it now, or at the end of the
  /// current 100 ms window (coalesced), fetched from the backend then.
  void status_changed();
  /// New admin group / limits after a reload (socket path changes need a restart).
  void update_options(const std::string& admin_group, int max_clients, int max_clients_per_uid,
                      std::chrono::milliseconds idle_timeout);

  Counters counters() const;
  const std::string& socket_path() const { return options_.socket_path; }

 private:
  void accept();
  void on_accept(boost::asio::local::stream_protocol::socket socket);
  void on_closed(Session* s, Session::End why);
  void on_watch(Session* s);
  void push_status_now();
  /// Why this peer may not have one more session ("" = it may).
  std::string admission(const Peer& peer);
  void arm_idle_sweep();
  void sweep_idle();
  std::vector<std::shared_ptr<Session>> watchers() const;

  Backend& backend_;
  ServerOptions options_;
  Dispatcher dispatcher_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer status_timer_;
  boost::asio::steady_timer accept_retry_;
  boost::asio::steady_timer idle_timer_;
  UniqueFd lock_;
  ListeningSocket listening_;
  bool admin_gid_valid_ = false;
  gid_t admin_gid_ = 0;
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions_;
  std::unordered_map<uid_t, int> per_uid_;  // sessions of unprivileged peers
  std::string hello_;
  bool status_pending_ = false;
  bool timer_armed_ = false;
  std::chrono::steady_clock::time_point last_status_push_{};
  std::string last_pushed_status_;  // the last pushed status without uptime_s
  Counters counters_;
  // Guards the handlers that capture this (they may complete after the
  // server is gone when the io_context outlives it).
  Lifetime lifetime_;
};

}  // namespace essd::api
