// SPDX-License-Identifier: MIT
#include "gateway/sse_hub.hpp"
#include "essd/teardown.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <vector>

namespace essd::gateway::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kMinGap = std::chrono::milliseconds(500);  // at most 2 updates/s
constexpr auto kEventWriteTimeout = std::chrono::seconds(10);
constexpr auto kPing = std::chrono::seconds(15);
constexpr std::size_t kMaxEvents = 256;

std::string frame(const char* kind, const std::string& data) {
  return std::string("event: ") + kind + "\ndata: " + data + "\n\n";
}
}  // namespace

class SseClient : public std::enable_shared_from_this<SseClient> {
 public:
  SseClient(SseHub& hub, beast::tcp_stream stream, std::shared_ptr<void> slot)
      : hub_(hub),
        stream_(std::move(stream)),
        slot_(std::move(slot)),
        flush_timer_(stream_.get_executor()),
        ping_timer_(stream_.get_executor()) {}

  void start(unsigned version, const SseHub::Initial& init) {
    out_ = version == 10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
    out_ +=
        "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\n";
    if (!init.up) {
      unavailable_ = true;
    } else {
      if (!init.status.empty()) status_ = init.status;
      if (!init.display.empty()) display_ = init.display;
    }
    flush_now();
    read();
    ping_later();
  }
  void status(const std::string& s) {
    status_ = s;
    schedule();
  }
  void display(const std::string& s) {
    display_ = s;
    schedule();
  }
  void event(const std::string& s) {
    if (events_.size() >= kMaxEvents) {
      close(true);  // too far behind to catch up: drop it (it reconnects)
      return;
    }
    events_.push_back(s);
    schedule();
  }
  void unavailable() {
    unavailable_ = true;
    status_.reset();
    display_.reset();
    schedule();
  }
  void close(bool dropped) {
    if (closed_) return;
    closed_ = true;
    flush_timer_.cancel();
    ping_timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    stream_.close();
    hub_.remove(this, dropped);
  }

 private:
  bool has_pending() const { return unavailable_ || status_ || display_ || !events_.empty(); }

  void schedule() {
    if (closed_ || writing_ || !has_pending()) return;
    const auto due = last_flush_ + kMinGap;
    if (Clock::now() >= due) {
      flush_now();
      return;
    }
    if (flush_armed_) return;
    flush_armed_ = true;
    flush_timer_.expires_at(due);
    flush_timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
      self->flush_armed_ = false;
      if (!ec) self->schedule();
    });
  }

  void flush_now() {
    if (unavailable_) {
      out_ += frame("unavailable", "{}");
      unavailable_ = false;
    }
    if (status_) out_ += frame("status", *status_);
    if (display_) out_ += frame("display", *display_);
    for (const auto& e : events_) out_ += frame("event", e);
    status_.reset();
    display_.reset();
    events_.clear();
    last_flush_ = Clock::now();
    write();
  }

  void write() {
    if (out_.empty() || closed_) return;
    writing_ = true;
    wbuf_ = std::move(out_);
    out_.clear();
    stream_.expires_after(kEventWriteTimeout);
    asio::async_write(stream_, asio::buffer(wbuf_),
                      [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) {
                          self->close(ec == beast::error::timeout);
                          return;
                        }
                        self->stream_.expires_never();
                        self->schedule();
                      });
  }

  // The client never sends anything we need; reading tells us it left.
  void read() {
    stream_.socket().async_read_some(
        asio::buffer(rbuf_), [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
          if (ec) {
            self->close(false);
            return;
          }
          self->read();
        });
  }

  // A comment line now and then finds dead peers and keeps proxies open.
  void ping_later() {
    if (closed_) return;
    ping_timer_.expires_after(kPing);
    ping_timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
      if (ec || self->closed_) return;
      if (!self->writing_) {
        self->out_ += ": ping\n\n";
        self->write();
      }
      self->ping_later();
    });
  }

  SseHub& hub_;
  beast::tcp_stream stream_;
  std::shared_ptr<void> slot_;
  asio::steady_timer flush_timer_;
  asio::steady_timer ping_timer_;
  std::string out_, wbuf_;
  std::array<char, 512> rbuf_{};
  std::optional<std::string> status_, display_;
  std::deque<std::string> events_;
  bool unavailable_ = false;
  bool writing_ = false;
  bool flush_armed_ = false;
  bool closed_ = false;
  Clock::time_point last_flush_{};
};

SseHub::~SseHub() {
  essd::teardown_in_destructor("SseHub", [this] { stop(); });
}

void SseHub::add(beast::tcp_stream stream, std::shared_ptr<void> slot, unsigned version) {
  auto c = std::make_shared<SseClient>(*this, std::move(stream), std::move(slot));
  clients_.emplace(c.get(), c);
  c->start(version, initial_ ? initial_() : Initial{});
}

template <typename F>
static void each(std::unordered_map<SseClient*, std::shared_ptr<SseClient>>& m, F f) {
  std::vector<std::shared_ptr<SseClient>> list;
  list.reserve(m.size());
  for (auto& [p, c] : m) list.push_back(c);
  for (auto& c : list) f(*c);
}

void SseHub::publish_status(const std::string& json) {
  each(clients_, [&](SseClient& c) { c.status(json); });
}
void SseHub::publish_display(const std::string& json) {
  each(clients_, [&](SseClient& c) { c.display(json); });
}
void SseHub::publish_event(const std::string& json) {
  each(clients_, [&](SseClient& c) { c.event(json); });
}
void SseHub::publish_unavailable() {
  each(clients_, [&](SseClient& c) { c.unavailable(); });
}

void SseHub::remove(SseClient* c, bool dropped) {
  if (dropped) ++dropped_;
  clients_.erase(c);
}

void SseHub::stop() {
  each(clients_, [&](SseClient& c) { c.close(false); });
  clients_.clear();
}

}  // namespace essd::gateway::http
