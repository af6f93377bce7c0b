// SPDX-License-Identifier: MIT
#pragma once
// One API connection: reads lines, hands them to the dispatcher one at a
// time (replies stay in request order), and writes through a bounded queue.
// A client that stops reading is dropped at the queue limit, so no client
// can make the loop wait or grow memory without bound (gpsd throttled_write).
#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/local/stream_protocol.hpp>

#include "api/dispatcher.hpp"

namespace essd::api {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;
  /// Requests handled per loop turn before yielding to other handlers.
  static constexpr int kRequestsPerTurn = 2;
  /// Why a session ended (for counters).
  enum class End { eof, error, too_long, slow, rejected, stopped, idle };
  using Closed = std::function<void(Session*, End)>;
  using Watching = std::function<void(Session*)>;  // watch was just enabled

  Session(Socket socket, Dispatcher& dispatcher, Peer peer, std::size_t max_queued,
          Closed on_closed, Watching on_watch);

  /// Send the hello banner and start reading.
  void start(const std::string& hello);
  /// Send one line then close (max_clients reached).
  void reject(const std::string& line);
  /// Queue a push (event/status) if watching; drops the client when over limit.
  void push(const std::string& line);
  /// Close at once; on_closed is not called afterwards.
  void stop();

  bool watching() const { return watching_; }
  /// Not watching, nothing in flight, and no request since `cutoff`.
  bool idle_since(std::chrono::steady_clock::time_point cutoff) const {
    return !watching_ && !busy_ && !closing_ && !closed_ && outq_.empty() && last_request_ < cutoff;
  }
  /// Close an idle session (on_closed reports End::idle).
  void close_idle() { close(End::idle); }
  const Peer& peer() const { return peer_; }
  std::size_t queued_bytes() const { return queued_bytes_; }

 private:
  void pump();
  void start_read();
  void on_reply(Reply r);
  void enqueue(std::string line);
  void start_write();
  void close(End why);

  Socket socket_;
  Dispatcher& dispatcher_;
  Peer peer_;
  std::size_t max_queued_;
  Closed on_closed_;
  Watching on_watch_;

  std::chrono::steady_clock::time_point last_request_ = std::chrono::steady_clock::now();
  std::string inbuf_;
  std::array<char, 4096> readbuf_{};
  std::deque<std::string> outq_;
  std::size_t queued_bytes_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool busy_ = false;     // a request is being handled (events: async)
  bool in_pump_ = false;  // guards recursion from synchronous replies
  bool closing_ = false;  // close once the queue is flushed
  bool closed_ = false;
  bool watching_ = false;
  bool resume_posted_ = false;
  End end_reason_ = End::eof;  // reported when a closing_ session has flushed
};

}  // namespace essd::api
