// SPDX-License-Identifier: MIT
#include "sim/control_server.hpp"

#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <iostream>
#include <istream>
#include <stdexcept>
#include <utility>

namespace essd::sim {

using boost::asio::local::stream_protocol;

struct ControlServer::Session : std::enable_shared_from_this<Session> {
  Session(stream_protocol::socket s, Handler& h, Lifetime::Watch server)
      : sock(std::move(s)), buf(kMaxLine), handler(h), server(std::move(server)) {}

  void read() {
    auto self = shared_from_this();
    boost::asio::async_read_until(
        sock, buf, '\n', [self](const boost::system::error_code& ec, std::size_t n) {
          if (self->server.ended()) return;
          if (ec == boost::asio::error::not_found) {  // line longer than kMaxLine
            self->reply("error line too long\n", true);
            return;
          }
          if (ec) return;  // closed or aborted: the session ends
          std::string line(n, '\0');
          std::istream(&self->buf).read(line.data(), static_cast<std::streamsize>(n));
          while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
          self->reply(self->handler(line) + "\n", false);
        });
  }

  void reply(std::string text, bool close_after) {
    auto self = shared_from_this();
    auto data = std::make_shared<std::string>(std::move(text));
    boost::asio::async_write(
        sock, boost::asio::buffer(*data),
        [self, data, close_after](const boost::system::error_code& ec, std::size_t) {
          if (ec || close_after || self->server.ended()) return;
          self->read();
        });
  }

  stream_protocol::socket sock;
  boost::asio::streambuf buf;
  Handler& handler;
  Lifetime::Watch server;  // the handler lives in the server
};

ControlServer::ControlServer(boost::asio::io_context& io, std::string path, Handler handler)
    : path_(std::move(path)), handler_(std::move(handler)), acceptor_(io) {}

ControlServer::~ControlServer() {
  stop();
}

void ControlServer::start() {
  ::unlink(path_.c_str());  // a stale socket from an earlier run
  boost::system::error_code ec;
  acceptor_.open(stream_protocol(), ec);
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
  if (!ec) acceptor_.listen(8, ec);
  if (ec) throw std::runtime_error("control socket " + path_ + ": " + ec.message());
  running_ = true;
  accept();
}

void ControlServer::stop() {
  if (!running_) return;
  running_ = false;
  lifetime_.renew();
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& w : sessions_) {
    if (auto s = w.lock()) s->sock.close(ec);
  }
  sessions_.clear();
  ::unlink(path_.c_str());
}

void ControlServer::accept() {
  acceptor_.async_accept(
      lifetime_.guard([this](const boost::system::error_code& ec, stream_protocol::socket sock) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (!ec) {
          auto s = std::make_shared<Session>(std::move(sock), handler_, lifetime_.watch());
          sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
          sessions_.push_back(s);
          s->read();
        }
        accept();
      }));
}

bool ControlServer::start_or_report() {
  try {
    start();
  } catch (const std::exception& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return false;
  }
  return true;
}

}  // namespace essd::sim
