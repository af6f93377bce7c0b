// SPDX-License-Identifier: MIT
#include "gateway/essd_link.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <istream>

namespace essd::gateway {

namespace asio = boost::asio;
using Json = nlohmann::json;

namespace {
// essd's own line limit is 64 KiB for requests; replies (modules with 16
// cells each) stay far below this, which only bounds a broken peer.
constexpr std::size_t kMaxLine = std::size_t{16} * 1024 * 1024;
constexpr auto kReplyTimeout = std::chrono::seconds(15);

Json unavailable(const std::string& why) {
  return Json{{"ok", false}, {"error", {{"code", "unavailable"}, {"message", why}}}};
}
}  // namespace

EssdLink::EssdLink(asio::io_context& io, std::string socket_path, Handlers handlers)
    : io_(io),
      path_(std::move(socket_path)),
      handlers_(std::move(handlers)),
      socket_(io),
      retry_timer_(io),
      reply_timer_(io),
      inbuf_(kMaxLine) {}

EssdLink::~EssdLink() {
  lifetime_.end();
  boost::system::error_code ec;
  socket_.close(ec);
}

void EssdLink::start() {
  stopped_ = false;
  connect();
}

void EssdLink::stop() {
  stopped_ = true;
  retry_timer_.cancel();
  reply_timer_.cancel();
  boost::system::error_code ec;
  socket_.close(ec);
  connected_ = up_ = false;
  ++generation_;
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& w : waiting) w(unavailable("gateway stopping"));
}

void EssdLink::connect() {
  if (stopped_) return;
  ++generation_;
  const auto gen = generation_;
  boost::system::error_code ec;
  socket_.close(ec);
  socket_ = asio::local::stream_protocol::socket(io_);
  inbuf_.consume(inbuf_.size());
  socket_.async_connect(asio::local::stream_protocol::endpoint(path_),
                        lifetime_.guard([this, gen](const boost::system::error_code& e) {
                          if (gen != generation_ || stopped_) return;
                          if (e) {
                            spdlog::debug("essd: cannot connect to {}: {}", path_, e.message());
                            schedule_retry();
                            return;
                          }
                          connected_ = true;
                          read_line();
                        }));
}

void EssdLink::schedule_retry() {
  if (stopped_) return;
  retry_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, std::chrono::seconds(10));
  retry_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& e) {
    if (e || stopped_) return;
    connect();
  }));
}

void EssdLink::fail(const std::string& why) {
  const bool was_up = up_;
  boost::system::error_code ec;
  socket_.close(ec);
  reply_timer_.cancel();
  ++generation_;
  connected_ = up_ = false;
  writing_ = false;
  outq_.clear();
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& w : waiting) w(unavailable(why));
  if (was_up) {
    spdlog::warn("essd: connection lost ({}); retrying", why);
    if (handlers_.on_down) handlers_.on_down();
  }
  schedule_retry();
}

void EssdLink::read_line() {
  const auto gen = generation_;
  asio::async_read_until(
      socket_, inbuf_, '\n',
      lifetime_.guard([this, gen](const boost::system::error_code& e, std::size_t n) {
        if (gen != generation_) return;
        if (e) {
          fail(e == asio::error::not_found ? "line too long" : e.message());
          return;
        }
        std::string line(asio::buffers_begin(inbuf_.data()),
                         asio::buffers_begin(inbuf_.data()) + static_cast<long>(n));
        inbuf_.consume(n);
        line.pop_back();
        on_line(line);
        if (gen == generation_) read_line();
      }));
}

void EssdLink::on_line(const std::string& line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    fail("essd sent a line that is not a JSON object");
    return;
  }
  if (!up_) {
    if (j.contains("hello") && j["hello"].is_object()) {
      up_ = true;
      backoff_ = std::chrono::seconds(1);
      hello_ = j["hello"];
      ++reconnects_;
      spdlog::info("essd: connected to {} (essd {})", path_, hello_.value("version", "?"));
      if (handlers_.on_up) handlers_.on_up(hello_);
      return;
    }
    fail("essd refused the connection: " + j.dump());
    return;
  }
  if (j.contains("ok")) {
    if (waiting_.empty()) return;  // a reply nobody waits for: ignore
    Reply r = std::move(waiting_.front());
    waiting_.pop_front();
    arm_reply_timer();
    r(j);
    return;
  }
  if (handlers_.on_push) handlers_.on_push(j);
}

void EssdLink::request(const Json& req, Reply done) {
  if (!up_) {
    done(unavailable("essd unreachable"));
    return;
  }
  // Arguments may come from an HTTP query: invalid UTF-8 is replaced.
  outq_.push_back(req.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
  waiting_.push_back(std::move(done));
  if (waiting_.size() == 1) arm_reply_timer();
  write_next();
}

// A daemon that accepts but never answers is as good as gone.
void EssdLink::arm_reply_timer() {
  reply_timer_.cancel();
  if (waiting_.empty()) return;
  const auto gen = generation_;
  reply_timer_.expires_after(kReplyTimeout);
  reply_timer_.async_wait(lifetime_.guard([this, gen](const boost::system::error_code& e) {
    if (e || gen != generation_) return;
    fail("no reply from essd within 15 s");
  }));
}

void EssdLink::write_next() {
  if (writing_ || outq_.empty() || !connected_) return;
  writing_ = true;
  const auto gen = generation_;
  asio::async_write(socket_, asio::buffer(outq_.front()),
                    lifetime_.guard([this, gen](const boost::system::error_code& e, std::size_t) {
                      if (gen != generation_) return;
                      writing_ = false;
                      if (e) {
                        fail(e.message());
                        return;
                      }
                      outq_.pop_front();
                      write_next();
                    }));
}

}  // namespace essd::gateway
