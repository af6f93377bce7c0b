// SPDX-License-Identifier: MIT
#pragma once
// ess-sim's run-time fault-injection channel: a Unix stream socket taking
// one command per line (sim/command.hpp) and answering one line each
// ("ok", "ok <status>", "error <why>"). Lines are capped; a client that
// sends an over-long line is answered with an error and disconnected.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "essd/lifetime.hpp"

namespace essd::sim {

class ControlServer {
 public:
  using Handler = std::function<std::string(const std::string& line)>;
  static constexpr std::size_t kMaxLine = 1024;

  ControlServer(boost::asio::io_context& io, std::string path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Binds (replacing a stale socket file); throws std::runtime_error.
  void start();
  /// start() for a program that cannot go on without its control socket:
  /// false, with the reason on stderr ("ess-sim: ..."), when it cannot listen.
  bool start_or_report();
  void stop();

 private:
  struct Session;
  void accept();

  std::string path_;
  Handler handler_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::list<std::weak_ptr<Session>> sessions_;
  Lifetime lifetime_;  // guards the handlers that capture this
  bool running_ = false;
};

}  // namespace essd::sim
