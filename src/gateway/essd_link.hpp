// SPDX-License-Identifier: MIT
#pragma once
// The gateway's connection to essd's API socket (docs/api.md): JSON lines over a
// Unix stream socket, asynchronous on the gateway's one io_context. Requests
// are answered in order; pushes ({"event"}/{"status"}) go to a handler.
// When the socket is gone it retries every 1 s, backing off to 10 s.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <nlohmann/json.hpp>

#include "essd/lifetime.hpp"

namespace essd::gateway {

class EssdLink {
 public:
  using Json = nlohmann::json;
  /// Gets the whole reply object ({"ok":...}); when the link goes down with
  /// the request unanswered, a synthetic {"ok":false,"error":{"code":"unavailable"}}.
  using Reply = std::function<void(const Json&)>;
  struct Handlers {
    std::function<void(const Json& hello)> on_up;
    std::function<void()> on_down;
    std::function<void(const Json& push)> on_push;
  };

  EssdLink(boost::asio::io_context& io, std::string socket_path, Handlers handlers);
  ~EssdLink();
  EssdLink(const EssdLink&) = delete;
  EssdLink& operator=(const EssdLink&) = delete;

  void start();
  void stop();
  /// Sends one request; the reply comes later (or at once, unavailable, when down).
  void request(const Json& req, Reply done);
  bool up() const { return up_; }
  const Json& hello() const { return hello_; }
  void set_socket_path(std::string path) { path_ = std::move(path); }
  std::uint64_t reconnects() const { return reconnects_; }

 private:
  void connect();
  void schedule_retry();
  void read_line();
  void on_line(const std::string& line);
  void write_next();
  void fail(const std::string& why);
  void arm_reply_timer();

  boost::asio::io_context& io_;
  std::string path_;
  Handlers handlers_;
  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer reply_timer_;
  boost::asio::streambuf inbuf_;
  std::deque<std::string> outq_;
  std::deque<Reply> waiting_;  // replies come in request order
  bool writing_ = false;
  bool connected_ = false;  // socket connected (hello maybe not yet)
  bool up_ = false;         // hello received
  bool stopped_ = true;
  std::chrono::seconds backoff_{1};
  std::uint64_t reconnects_ = 0;
  std::uint64_t generation_ = 0;  // bumps on every (re)connect; stale handlers check it
  Json hello_;
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::gateway
