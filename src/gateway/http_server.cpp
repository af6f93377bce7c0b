// SPDX-License-Identifier: MIT
#include "gateway/http_server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

namespace essd::gateway::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Tcp = asio::ip::tcp;

namespace {

constexpr auto kFirstRequest = std::chrono::seconds(10);  // a whole request, head and body
constexpr auto kKeepAliveIdle = std::chrono::seconds(30);
constexpr auto kResponseWriteTimeout = std::chrono::seconds(10);

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Tcp::socket socket, Router& router, SseHub& hub, std::shared_ptr<AccessPolicy> policy,
             std::shared_ptr<void> slot)
      : stream_(std::move(socket)),
        router_(router),
        hub_(hub),
        policy_(std::move(policy)),
        slot_(std::move(slot)),
        buffer_(kHeaderLimit + kBodyLimit + 1024) {}

  void start() { read(kFirstRequest); }

  void reject_busy() {
    auto r = json_error(bhttp::status::service_unavailable, "too many clients");
    r.keep_alive(false);
    write(std::move(r));
  }

 private:
  void read(std::chrono::seconds deadline) {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(deadline);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      close();
      return;
    }
    if (ec) {
      write(parse_error_response(ec));
      return;
    }
    Message msg = parser_->release();
    parser_.reset();
    std::string path;
    std::map<std::string, std::string> query;
    if (msg.method() == bhttp::verb::get &&
        split_target(std::string_view(msg.target().data(), msg.target().size()), path, query) &&
        router_.is_stream(path) && token_ok(*policy_, msg)) {
      stream_.expires_never();
      hub_.add(std::move(stream_), std::move(slot_), msg.version());
      return;
    }
    const bool keep = msg.keep_alive();
    const bool head = msg.method() == bhttp::verb::head;
    std::weak_ptr<Connection> weak = weak_from_this();
    // Hold the connection until the (possibly asynchronous) answer comes.
    pending_self_ = shared_from_this();
    router_.handle(std::move(msg), *policy_, [weak, keep, head](Response r) {
      auto self = weak.lock();
      if (!self) return;
      r.keep_alive(keep && r.keep_alive());
      if (head) {
        const auto size = r.body().size();
        r.body().clear();
        r.content_length(size);
      }
      self->write(std::move(r));
    });
  }

  void write(Response r) {
    pending_self_.reset();
    auto res = std::make_shared<Response>(std::move(r));
    stream_.expires_after(kResponseWriteTimeout);
    const bool head_only = res->body().empty() && res->has_content_length();
    auto done = [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || !res->keep_alive()) {
        self->close();
        return;
      }
      self->read(kKeepAliveIdle);
    };
    if (head_only) {
      auto sr = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*res);
      bhttp::async_write_header(stream_, *sr,
                                [done, sr](beast::error_code ec, std::size_t n) { done(ec, n); });
    } else {
      bhttp::async_write(stream_, *res, std::move(done));
    }
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(Tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Router& router_;
  SseHub& hub_;
  std::shared_ptr<AccessPolicy> policy_;
  std::shared_ptr<void> slot_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Connection> pending_self_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Router& router, SseHub& hub)
    : router_(router), hub_(hub), acceptor_(io) {}

HttpServer::~HttpServer() {
  lifetime_.end();
  stop();
}

bool HttpServer::listen(const std::string& host, int port, std::string& error) {
  beast::error_code ec;
  asio::ip::address addr;
  if (host == "*" || host.empty()) {
    addr = asio::ip::address_v6::any();
  } else if (host == "localhost") {
    addr = asio::ip::make_address("127.0.0.1");
  } else {
    addr = asio::ip::make_address(host, ec);
    if (ec) {
      error = "http.listen: \"" + host + "\" is not an IP address";
      return false;
    }
  }
  Tcp::endpoint ep(addr, static_cast<std::uint16_t>(port));
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "http.listen " + host + ":" + std::to_string(port) + ": " + ec.message();
    beast::error_code ignored;
    acceptor_.close(ignored);
    return false;
  }
  port_ = acceptor_.local_endpoint().port();
  accept();
  return true;
}

void HttpServer::stop() {
  beast::error_code ec;
  acceptor_.close(ec);
}

void HttpServer::accept() {
  acceptor_.async_accept(lifetime_.guard([this](beast::error_code ec, Tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (!ec) {
      const bool busy = static_cast<int>(clients()) >= max_clients_;
      auto c = std::make_shared<Connection>(
          std::move(socket), router_, hub_, policy_,
          busy ? std::shared_ptr<void>() : std::shared_ptr<void>(slots_));
      if (busy) {
        c->reject_busy();
      } else {
        c->start();
      }
    } else if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
      spdlog::warn("http: accept: {}", ec.message());
    }
    accept();
  }));
}

}  // namespace essd::gateway::http
