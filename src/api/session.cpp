// SPDX-License-Identifier: MIT
#include "api/session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace essd::api {

Session::Session(Socket socket, Dispatcher& dispatcher, Peer peer, std::size_t max_queued,
                 Closed on_closed, Watching on_watch)
    : socket_(std::move(socket)),
      dispatcher_(dispatcher),
      peer_(peer),
      max_queued_(max_queued),
      on_closed_(std::move(on_closed)),
      on_watch_(std::move(on_watch)) {}

void Session::start(const std::string& hello) {
  enqueue(hello);
  pump();
}

void Session::reject(const std::string& line) {
  enqueue(line);
  closing_ = true;
  end_reason_ = End::rejected;
  if (!writing_) close(End::rejected);
}

void Session::push(const std::string& line) {
  if (watching_ && !closing_) enqueue(line);
}

void Session::stop() {
  on_closed_ = nullptr;
  on_watch_ = nullptr;
  close(End::stopped);
}

void Session::pump() {
  if (in_pump_) return;
  in_pump_ = true;
  int handled = 0;
  while (!busy_ && !closing_ && !closed_) {
    if (handled == kRequestsPerTurn) {
      // Fairness: a client that pipelines thousands of requests gets a few
      // per turn; the tick timer and other clients run in between.
      if (!resume_posted_) {
        resume_posted_ = true;
        boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
          self->resume_posted_ = false;
          self->pump();
        });
      }
      break;
    }
    auto nl = inbuf_.find('\n');
    if (nl == std::string::npos) {
      if (inbuf_.size() > kMaxLineBytes) {
        on_reply(Dispatcher::line_too_long());
        break;
      }
      start_read();
      break;
    }
    if (nl > kMaxLineBytes) {
      on_reply(Dispatcher::line_too_long());
      break;
    }
    std::string line = inbuf_.substr(0, nl);
    inbuf_.erase(0, nl + 1);
    if (line.empty() || line == "\r") continue;  // blank lines are keep-alives
    busy_ = true;
    ++handled;
    std::weak_ptr<Session> weak = weak_from_this();
    dispatcher_.handle(line, peer_, [weak](Reply r) {
      if (auto self = weak.lock()) self->on_reply(std::move(r));
    });
  }
  in_pump_ = false;
}

void Session::start_read() {
  if (reading_ || closed_) return;
  reading_ = true;
  socket_.async_read_some(
      boost::asio::buffer(readbuf_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        self->reading_ = false;
        if (self->closed_) return;
        if (ec) {
          self->close(ec == boost::asio::error::eof ? End::eof : End::error);
          return;
        }
        self->inbuf_.append(self->readbuf_.data(), n);
        self->last_request_ = std::chrono::steady_clock::now();
        self->pump();
      });
}

void Session::on_reply(Reply r) {
  if (closed_) return;
  busy_ = false;
  bool started_watching = r.watch && *r.watch && !watching_;
  if (r.watch) watching_ = *r.watch;
  enqueue(std::move(r.line));
  if (started_watching && on_watch_ && !closed_) on_watch_(this);
  if (r.close) {
    closing_ = true;
    end_reason_ = End::too_long;
    inbuf_.clear();
    if (!writing_ && !closed_) close(End::too_long);
    return;
  }
  pump();  // no-op when called from inside pump() (synchronous reply)
}

void Session::enqueue(std::string line) {
  if (closed_) return;
  if (queued_bytes_ + line.size() > max_queued_) {
    // The client is not reading: drop it rather than buffer without bound.
    close(End::slow);
    return;
  }
  queued_bytes_ += line.size();
  outq_.push_back(std::move(line));
  start_write();
}

void Session::start_write() {
  if (writing_ || outq_.empty() || closed_) return;
  writing_ = true;
  boost::asio::async_write(
      socket_, boost::asio::buffer(outq_.front()),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->writing_ = false;
        if (self->closed_) return;
        if (ec) {
          self->close(End::error);
          return;
        }
        self->queued_bytes_ -= self->outq_.front().size();
        self->outq_.pop_front();
        if (!self->outq_.empty()) {
          self->start_write();
        } else if (self->closing_) {
          self->close(self->end_reason_);
        }
      });
}

void Session::close(End why) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  // A write in flight still refers to outq_.front(); its handler frees it.
  if (!writing_) outq_.clear();
  queued_bytes_ = 0;
  if (auto cb = std::move(on_closed_)) {
    on_closed_ = nullptr;
    auto keep = shared_from_this();  // the callback drops the owner's reference
    cb(this, why);
  }
}

}  // namespace essd::api
