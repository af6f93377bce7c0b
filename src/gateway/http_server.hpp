// SPDX-License-Identifier: MIT
#pragma once
// The HTTP listener and its connections on Boost.Beast, one io_context.
// Each connection reads one request at a time (head at most 8 KiB, body at
// most 4 KiB) under a deadline, and every write has a deadline too, so an
// idle or stuck client is dropped and never holds up another. Beyond
// max_clients a connection gets 503 and is closed. A stream route (SSE)
// takes its connection over into the SseHub.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "essd/lifetime.hpp"
#include "gateway/http_router.hpp"
#include "gateway/sse_hub.hpp"

namespace essd::gateway::http {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, Router& router, SseHub& hub);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  bool listen(const std::string& host, int port, std::string& error);
  void stop();
  std::uint16_t port() const { return port_; }
  void set_policy(AccessPolicy p) { *policy_ = std::move(p); }
  void set_max_clients(int n) { max_clients_ = n; }
  std::size_t clients() const { return static_cast<std::size_t>(slots_.use_count() - 1); }

 private:
  void accept();

  Router& router_;
  SseHub& hub_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<AccessPolicy> policy_ = std::make_shared<AccessPolicy>();
  std::shared_ptr<int> slots_ = std::make_shared<int>(0);  // one copy per open connection
  int max_clients_ = 32;
  std::uint16_t port_ = 0;
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::gateway::http
