// SPDX-License-Identifier: MIT
#pragma once
// GET /api/stream: Server-Sent Events to every subscribed browser. Each
// client has its own small state (the latest status and display, a bounded
// list of events) flushed at most twice a second in one write; a client
// whose write does not finish in 10 s, or whose backlog overflows, is
// dropped. Nothing here ever waits for a client.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace essd::gateway::http {

class SseClient;

class SseHub {
 public:
  struct Initial {
    bool up = false;
    std::string status;   // JSON text, "" = none yet
    std::string display;  // JSON text, "" = none yet
  };
  SseHub() = default;
  SseHub(const SseHub&) = delete;
  SseHub& operator=(const SseHub&) = delete;
  ~SseHub();

  void set_initial(std::function<Initial()> f) { initial_ = std::move(f); }
  /// Takes the connection over; `slot` is held while the client lives.
  void add(boost::beast::tcp_stream stream, std::shared_ptr<void> slot, unsigned version);
  void publish_status(const std::string& json);
  void publish_display(const std::string& json);
  void publish_event(const std::string& json);
  void publish_unavailable();
  void stop();
  std::size_t clients() const { return clients_.size(); }
  std::uint64_t dropped() const { return dropped_; }

 private:
  friend class SseClient;
  void remove(SseClient* c, bool dropped);

  std::function<Initial()> initial_;
  std::unordered_map<SseClient*, std::shared_ptr<SseClient>> clients_;
  std::uint64_t dropped_ = 0;
};

}  // namespace essd::gateway::http
