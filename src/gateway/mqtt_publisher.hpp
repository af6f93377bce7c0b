// SPDX-License-Identifier: MIT
#pragma once
// Everything the gateway publishes over MQTT (docs/gateway.md "MQTT"): availability,
// coalesced state with heartbeat, per-module messages, events exactly once
// in seq order, Home Assistant discovery. Runs on the io_context; the
// broker connection is an MqttSession (its own thread).
//
// Bounded memory whatever the broker does: retained topics are coalesced
// (one pending payload per topic, a newer one replaces it and the replaced
// one counts as dropped); at most kMaxInflight messages are handed to
// libmosquitto at once; events are not queued here beyond a small buffer
// because essd's history holds them: the publisher keeps the last seq the
// broker acknowledged and fetches what follows with `events after=`.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "essd/lifetime.hpp"
#include "gateway/config.hpp"
#include "gateway/mqtt_session.hpp"
#include "gateway/state_model.hpp"

namespace essd::gateway {

class MqttPublisher {
 public:
  /// Fetches essd's events after `after` (at most `limit`); calls back with
  /// ok=false when essd did not answer.
  using EventFetch = std::function<void(std::uint64_t after, int limit,
                                        std::function<void(bool ok, const Json& events)>)>;
  static constexpr std::size_t kMaxInflight = 64;
  static constexpr std::size_t kEventBuffer = 256;

  struct Stats {
    bool connected = false;
    std::uint64_t messages = 0;  // acknowledged by the broker (or written, QoS 0)
    std::uint64_t dropped = 0;   // superseded before they could be sent
    std::uint64_t events = 0;    // events acknowledged
    std::uint64_t connects = 0;
    std::uint64_t acked_seq = 0;  // the last event seq the broker acknowledged
  };

  MqttPublisher(boost::asio::io_context& io, GatewayConfig cfg, std::string id, EventFetch fetch);
  ~MqttPublisher();
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  void start();
  /// Publishes `offline`, waits (at most 1 s) for it, disconnects, then calls done.
  void stop(std::function<void()> done);

  void essd_up(const EssdView& view);
  void essd_down();
  /// New status/modules: state (coalesced), module link changes, discovery.
  void update(const EssdView& view);
  void event(const Json& ev);
  /// The seq after which events are published (set once at the first essd connect).
  void set_event_baseline(std::uint64_t seq);
  bool has_event_baseline() const { return sent_seq_.has_value(); }
  /// A reload keeps the session if nothing that shapes it changed.
  void reconfigure(const GatewayConfig& cfg, const std::string& id, const EssdView& view);

  Stats stats() const;
  const std::string& base() const { return base_; }

 private:
  struct Out {
    std::string payload;
    int qos = 1;
    bool retain = true;
  };
  struct Inflight {
    std::optional<std::uint64_t> seq;  // set for events
  };
  struct EventInflight {
    std::uint64_t seq;
    bool acked = false;
  };

  void connect();
  void on_connected(const std::shared_ptr<MqttSession>& s);
  void on_published(const std::shared_ptr<MqttSession>& s, int mid);
  void on_ended(const std::shared_ptr<MqttSession>& s, const std::string& why);
  void enqueue(const std::string& topic, std::string payload, int qos, bool retain);
  void enqueue_everything();
  void enqueue_discovery();
  void enqueue_module(const Json& entry);
  void pump();
  bool pump_event();
  void fetch_events();
  void schedule_state();
  void emit_state();
  void module_tick();
  MqttSettings settings() const;

  boost::asio::io_context& io_;
  GatewayConfig cfg_;
  std::string id_;
  std::string base_;
  EventFetch fetch_;
  std::shared_ptr<MqttSession> session_;
  bool connected_ = false;
  bool stopping_ = false;
  bool started_ = false;
  std::chrono::seconds backoff_{1};
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer state_timer_;
  boost::asio::steady_timer module_timer_;
  boost::asio::steady_timer stop_timer_;
  std::function<void()> stop_done_;

  // Outbox: retained/state topics in first-queued order, one payload each.
  std::deque<std::string> order_;
  std::unordered_map<std::string, Out> pending_;
  std::unordered_map<int, Inflight> inflight_;

  // Events.
  std::optional<std::uint64_t> sent_seq_;  // last seq handed to the broker
  std::uint64_t acked_seq_ = 0;
  std::deque<EventInflight> event_inflight_;
  std::deque<Json> event_buffer_;  // pushed by essd, seq > sent_seq_
  bool need_fetch_ = false;
  bool fetching_ = false;
  bool accept_gap_ = false;  // essd's history no longer holds the missing seqs

  // State and modules.
  EssdView view_;
  Json last_fields_;
  bool state_changed_ = false;
  std::chrono::steady_clock::time_point last_state_{};
  std::map<int, std::string> module_link_;
  std::set<int> module_discovered_;

  Stats stats_;
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::gateway
