// SPDX-License-Identifier: MIT
#include "gateway/mqtt_publisher.hpp"

#include <spdlog/spdlog.h>
#include <fstream>
#include <sstream>

#include "gateway/discovery.hpp"

namespace essd::gateway {

using Clock = std::chrono::steady_clock;

namespace {

std::string read_secret(const std::string& path, std::string& error) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read mqtt.password_file " + path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

MqttPublisher::MqttPublisher(boost::asio::io_context& io, GatewayConfig cfg, std::string id,
                             EventFetch fetch)
    : io_(io),
      cfg_(std::move(cfg)),
      id_(std::move(id)),
      base_(cfg_.mqtt_prefix + "/" + id_),
      fetch_(std::move(fetch)),
      retry_timer_(io),
      state_timer_(io),
      module_timer_(io),
      stop_timer_(io) {}

MqttPublisher::~MqttPublisher() {
  lifetime_.end();
  if (session_) {
    session_->detach();
    session_->stop();
  }
}

MqttSettings MqttPublisher::settings() const {
  MqttSettings s;
  s.host = cfg_.mqtt_host;
  s.port = cfg_.mqtt_port;
  s.tls = cfg_.mqtt_tls;
  s.ca_file = cfg_.mqtt_ca_file;
  s.username = cfg_.mqtt_username;
  s.client_id = cfg_.mqtt_client_id.empty() ? "ess-gateway-" + id_ : cfg_.mqtt_client_id;
  s.keepalive_s = cfg_.mqtt_keepalive_s;
  s.will_topic = base_ + "/availability";
  return s;
}

void MqttPublisher::start() {
  started_ = true;
  connect();
  module_tick();
}

void MqttPublisher::connect() {
  if (stopping_ || !started_) return;
  MqttSettings s = settings();
  std::string error;
  s.password = read_secret(cfg_.mqtt_password_file, error);
  if (!error.empty()) spdlog::error("mqtt: {}", error);  // the path only, never the content
  auto holder = std::make_shared<std::weak_ptr<MqttSession>>();
  MqttSession::Handlers h;
  h.on_connected = lifetime_.guard([this, holder] {
    if (auto s = holder->lock(); s) on_connected(s);
  });
  h.on_published = lifetime_.guard([this, holder](int mid) {
    if (auto s = holder->lock(); s) on_published(s, mid);
  });
  h.on_ended = lifetime_.guard([this, holder](const std::string& why) {
    if (auto s = holder->lock(); s) on_ended(s, why);
  });
  session_ = MqttSession::start(io_, s, std::move(h));
  *holder = session_;
}

void MqttPublisher::on_connected(const std::shared_ptr<MqttSession>& s) {
  if (s != session_) return;
  connected_ = true;
  backoff_ = std::chrono::seconds(1);
  ++stats_.connects;
  spdlog::info("mqtt: connected to {}:{}{}", cfg_.mqtt_host, cfg_.mqtt_port,
               cfg_.mqtt_tls ? " (TLS)" : "");
  enqueue_everything();
  need_fetch_ = true;
  pump();
}

void MqttPublisher::on_ended(const std::shared_ptr<MqttSession>& s, const std::string& why) {
  if (s != session_) return;
  if (connected_)
    spdlog::warn("mqtt: connection to {}:{} lost: {}", cfg_.mqtt_host, cfg_.mqtt_port, why);
  else
    spdlog::debug("mqtt: cannot connect to {}:{}: {}", cfg_.mqtt_host, cfg_.mqtt_port, why);
  session_->detach();
  session_.reset();
  connected_ = false;
  inflight_.clear();
  // Whatever the broker did not acknowledge is sent again from essd's
  // history on the next connection.
  event_inflight_.clear();
  if (sent_seq_) sent_seq_ = acked_seq_;
  event_buffer_.clear();
  fetching_ = false;
  if (stopping_) {
    if (stop_done_) std::exchange(stop_done_, nullptr)();
    return;
  }
  retry_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, std::chrono::seconds(10));
  retry_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  }));
}

void MqttPublisher::on_published(const std::shared_ptr<MqttSession>& s, int mid) {
  if (s != session_) return;
  auto it = inflight_.find(mid);
  if (it == inflight_.end()) return;
  ++stats_.messages;
  if (it->second.seq) {
    for (auto& e : event_inflight_) {
      if (e.seq == *it->second.seq) e.acked = true;
    }
    while (!event_inflight_.empty() && event_inflight_.front().acked) {
      acked_seq_ = event_inflight_.front().seq;
      ++stats_.events;
      event_inflight_.pop_front();
    }
  }
  inflight_.erase(it);
  if (stopping_ && inflight_.empty() && session_) {
    session_->stop();
    return;
  }
  pump();
}

void MqttPublisher::enqueue(const std::string& topic, std::string payload, int qos, bool retain) {
  auto [it, fresh] = pending_.try_emplace(topic);
  if (fresh) {
    order_.push_back(topic);
  } else {
    ++stats_.dropped;  // the previous payload for this topic never left
  }
  it->second = Out{std::move(payload), qos, retain};
}

void MqttPublisher::enqueue_discovery() {
  if (!cfg_.discovery || !view_.up) return;
  DiscoveryContext c{id_,
                     base_,
                     cfg_.discovery_prefix,
                     view_.hello.value("model", ""),
                     view_.hello.value("version", ""),
                     cfg_.site};
  if (view_.status.is_object() && view_.status.contains("model"))
    c.model = view_.status.value("model", c.model);
  for (auto& m : system_discovery(c)) enqueue(m.topic, m.payload.dump(), 1, true);
  for (int a : module_discovered_) {
    for (auto& m : module_discovery(c, a)) enqueue(m.topic, m.payload.dump(), 1, true);
  }
}

void MqttPublisher::enqueue_everything() {
  enqueue(base_ + "/availability", view_.up ? "online" : "offline", 1, true);
  if (!view_.up) return;
  enqueue_discovery();
  if (view_.status.is_object()) emit_state();
  for (const auto& m : view_.modules) enqueue_module(m);
}

void MqttPublisher::enqueue_module(const Json& entry) {
  if (!entry.is_object() || !entry.contains("address")) return;
  enqueue(base_ + "/module/" + std::to_string(entry["address"].get<int>()), entry.dump(),
          cfg_.mqtt_qos, true);
}

void MqttPublisher::pump() {
  if (!connected_ || !session_) return;
  while (inflight_.size() < kMaxInflight) {
    if (!order_.empty()) {
      const std::string topic = order_.front();
      auto it = pending_.find(topic);
      if (it != pending_.end()) {
        int mid = session_->publish(topic, it->second.payload, it->second.qos, it->second.retain);
        if (mid < 0) return;  // the session is going down; on_ended follows
        inflight_[mid] = Inflight{};
        pending_.erase(it);
      }
      order_.pop_front();
      continue;
    }
    if (!pump_event()) break;
  }
}

// Hands over the next event in seq order; false when there is none ready.
bool MqttPublisher::pump_event() {
  if (!sent_seq_) return false;
  while (!event_buffer_.empty() &&
         event_buffer_.front().value("seq", std::uint64_t{0}) <= *sent_seq_) {
    event_buffer_.pop_front();
  }
  const bool next_ready =
      !event_buffer_.empty() &&
      (event_buffer_.front().value("seq", std::uint64_t{0}) == *sent_seq_ + 1 || accept_gap_);
  if (!next_ready) {
    if (!event_buffer_.empty() || need_fetch_) fetch_events();
    return false;
  }
  accept_gap_ = false;
  const Json ev = std::move(event_buffer_.front());
  event_buffer_.pop_front();
  const std::uint64_t seq = ev.value("seq", std::uint64_t{0});
  int mid = session_->publish(base_ + "/event", ev.dump(), 1, false);
  if (mid < 0) {
    event_buffer_.push_front(ev);
    return false;
  }
  inflight_[mid] = Inflight{seq};
  event_inflight_.push_back(EventInflight{seq});
  sent_seq_ = seq;
  return true;
}

void MqttPublisher::fetch_events() {
  if (fetching_ || !view_.up || !sent_seq_ || !fetch_) return;
  fetching_ = true;
  const std::uint64_t after = *sent_seq_;
  const int limit = static_cast<int>(kEventBuffer);
  auto session = session_;
  fetch_(after, limit, lifetime_.guard([this, after, session](bool ok, const Json& events) {
    if (session != session_ || !sent_seq_ || *sent_seq_ != after) {
      fetching_ = false;  // a reconnect moved on meanwhile; its own fetch follows
      if (session == session_) pump();
      return;
    }
    fetching_ = false;
    if (!ok || !events.is_array()) return;  // essd went away; essd_up() asks again
    std::deque<Json> merged;
    std::uint64_t last = after;
    for (const auto& e : events) {
      const auto seq = e.value("seq", std::uint64_t{0});
      if (seq > last) {
        merged.push_back(e);
        last = seq;
      }
    }
    for (auto& e : event_buffer_) {
      if (e.value("seq", std::uint64_t{0}) > last && merged.size() < kEventBuffer)
        merged.push_back(std::move(e));
    }
    // essd no longer holds the seqs between `after` and the buffered ones.
    accept_gap_ = events.empty() && !merged.empty();
    event_buffer_ = std::move(merged);
    need_fetch_ = static_cast<int>(events.size()) >= limit;
    pump();
  }));
}

void MqttPublisher::event(const Json& ev) {
  if (!sent_seq_ || !ev.is_object()) return;
  if (ev.value("seq", std::uint64_t{0}) <= *sent_seq_) return;
  if (event_buffer_.size() >= kEventBuffer) {
    need_fetch_ = true;  // still in essd's history: fetched when there is room
    return;
  }
  event_buffer_.push_back(ev);
  pump();
}

void MqttPublisher::set_event_baseline(std::uint64_t seq) {
  if (sent_seq_) {
    // essd's history restarted below what we published: follow it.
    if (seq < acked_seq_) {
      spdlog::warn("mqtt: essd's event history restarted (seq {} < {}); following it", seq,
                   acked_seq_);
      sent_seq_ = acked_seq_ = seq;
      event_buffer_.clear();
    }
    return;
  }
  sent_seq_ = acked_seq_ = seq;
  stats_.acked_seq = seq;
}

void MqttPublisher::essd_up(const EssdView& view) {
  view_ = view;
  need_fetch_ = true;
  enqueue(base_ + "/availability", "online", 1, true);
  enqueue_discovery();
  update(view);
  pump();
}

void MqttPublisher::essd_down() {
  view_.up = false;
  fetching_ = false;
  state_timer_.cancel();
  enqueue(base_ + "/availability", "offline", 1, true);
  pump();
}

void MqttPublisher::update(const EssdView& view) {
  view_ = view;
  if (!view_.up) return;
  bool new_module = false;
  for (const auto& m : view_.modules) {
    if (!m.is_object() || !m.contains("address")) continue;
    const int a = m["address"].get<int>();
    const std::string link = m.value("link", "");
    auto it = module_link_.find(a);
    if (it == module_link_.end() || it->second != link) {
      module_link_[a] = link;
      enqueue_module(m);  // at once when its link changes
    }
    new_module |= module_discovered_.insert(a).second;
  }
  if (new_module) enqueue_discovery();
  if (view_.status.is_object()) {
    Json fields = state_fields(view_.status, view_.modules);
    if (fields != last_fields_) {
      last_fields_ = std::move(fields);
      state_changed_ = true;
    }
    schedule_state();
  }
  pump();
}

void MqttPublisher::schedule_state() {
  if (!view_.up || stopping_) return;
  const auto interval = std::chrono::milliseconds(cfg_.state_interval_ms);
  const auto heartbeat = std::chrono::seconds(cfg_.heartbeat_s);
  const auto due =
      last_state_ + (state_changed_ ? std::chrono::duration_cast<Clock::duration>(interval)
                                    : std::chrono::duration_cast<Clock::duration>(heartbeat));
  if (Clock::now() >= due) {
    emit_state();
    pump();
    schedule_state();
    return;
  }
  state_timer_.expires_at(due);
  state_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec) return;
    schedule_state();
  }));
}

void MqttPublisher::emit_state() {
  if (last_fields_.is_null() && view_.status.is_object())
    last_fields_ = state_fields(view_.status, view_.modules);
  Json msg = Json::object();
  msg["time"] = rfc3339_utc(std::chrono::system_clock::now());
  for (auto& [k, v] : last_fields_.items()) msg[k] = v;
  enqueue(base_ + "/state", msg.dump(), cfg_.mqtt_qos, true);
  last_state_ = Clock::now();
  state_changed_ = false;
}

void MqttPublisher::module_tick() {
  if (stopping_) return;
  if (view_.up) {
    for (const auto& m : view_.modules) enqueue_module(m);
    pump();
  }
  module_timer_.expires_after(std::chrono::milliseconds(cfg_.module_interval_ms));
  module_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (!ec) module_tick();
  }));
}

void MqttPublisher::stop(std::function<void()> done) {
  stopping_ = true;
  state_timer_.cancel();
  module_timer_.cancel();
  retry_timer_.cancel();
  if (!session_ || !connected_) {
    if (session_) {
      session_->detach();
      session_->stop();
      session_.reset();
    }
    done();
    return;
  }
  stop_done_ = std::move(done);
  order_.clear();
  pending_.clear();
  enqueue(base_ + "/availability", "offline", 1, true);
  pump();
  // Disconnect once `offline` is acknowledged, or after 1 s whatever happens.
  stop_timer_.expires_after(std::chrono::seconds(1));
  stop_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (session_) session_->stop();
    stop_timer_.expires_after(std::chrono::seconds(1));
    stop_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec2) {
      if (ec2 || !stop_done_) return;
      if (session_) session_->detach();
      std::exchange(stop_done_, nullptr)();
    }));
  }));
}

void MqttPublisher::reconfigure(const GatewayConfig& cfg, const std::string& id,
                                const EssdView& view) {
  const bool same_session =
      cfg.mqtt_host == cfg_.mqtt_host && cfg.mqtt_port == cfg_.mqtt_port &&
      cfg.mqtt_tls == cfg_.mqtt_tls && cfg.mqtt_ca_file == cfg_.mqtt_ca_file &&
      cfg.mqtt_username == cfg_.mqtt_username &&
      cfg.mqtt_password_file == cfg_.mqtt_password_file &&
      cfg.mqtt_client_id == cfg_.mqtt_client_id && cfg.mqtt_keepalive_s == cfg_.mqtt_keepalive_s &&
      cfg.mqtt_prefix == cfg_.mqtt_prefix && id == id_;
  cfg_ = cfg;
  view_ = view;
  if (!same_session) {
    spdlog::info("mqtt: settings changed; reconnecting");
    id_ = id;
    base_ = cfg_.mqtt_prefix + "/" + id_;
    if (session_) {
      session_->detach();
      session_->stop();
      session_.reset();
    }
    connected_ = false;
    inflight_.clear();
    event_inflight_.clear();
    if (sent_seq_) sent_seq_ = acked_seq_;
    event_buffer_.clear();
    fetching_ = false;
    order_.clear();
    pending_.clear();
    retry_timer_.cancel();
    backoff_ = std::chrono::seconds(1);
    connect();
    return;
  }
  enqueue_discovery();
  schedule_state();
  pump();
}

MqttPublisher::Stats MqttPublisher::stats() const {
  Stats s = stats_;
  s.connected = connected_;
  s.acked_seq = acked_seq_;
  return s;
}

}  // namespace essd::gateway
