// SPDX-License-Identifier: MIT
#include "gateway/app.hpp"

#include <csignal>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace essd::gateway {

namespace asio = boost::asio;

namespace {
std::chrono::milliseconds poll_period(const GatewayConfig& c) {
  // Modules and display are not pushed by essd: polled as often as the
  // state may be published, at least once a second.
  return std::chrono::milliseconds(std::clamp(c.state_interval_ms, 200, 1000));
}
}  // namespace

App::App(asio::io_context& io, GatewayConfig cfg, std::string config_path, bool config_named)
    : io_(io),
      cfg_(std::move(cfg)),
      config_path_(std::move(config_path)),
      config_named_(config_named),
      id_(reduced_id(cfg_.id)),
      history_(cfg_.history_hours),
      link_(io, cfg_.socket,
            EssdLink::Handlers{[this](const Json&) { on_essd_up(); }, [this] { on_essd_down(); },
                               [this](const Json& p) { on_push(p); }}),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      poll_timer_(io),
      history_timer_(io) {}

App::~App() {
  lifetime_.end();
}

std::string App::read_token() const {
  if (cfg_.http_token_file.empty()) return {};
  std::ifstream in(cfg_.http_token_file, std::ios::binary);
  if (!in) {
    spdlog::error(
        "http: cannot read http.token_file {}; every request is refused until it is readable",
        cfg_.http_token_file);
    // A token nobody can present: the gateway must not fall open.
    return std::string(64, '\x01');
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  if (t.empty()) return std::string(64, '\x01');
  return t;
}

void App::apply_access() {
  if (!http_) return;
  http_->set_policy(http::AccessPolicy{read_token(), cfg_.allow_control});
  http_->set_max_clients(cfg_.http_max_clients);
}

int App::start() {
  add_routes();
  hub_.set_initial([this] {
    http::SseHub::Initial i;
    i.up = view_.up && view_.status.is_object();
    if (i.up) {
      i.status = view_.status.dump();
      if (view_.display.is_object()) i.display = view_.display.dump();
    }
    return i;
  });
  if (cfg_.http_enabled && !cfg_.http_listen.empty()) {
    std::string host, error;
    int port = 0;
    split_listen(cfg_.http_listen, host, port);
    http_ = std::make_unique<http::HttpServer>(io_, router_, hub_);
    apply_access();
    if (!http_->listen(host, port, error)) {
      spdlog::error("{}", error);
      return 1;
    }
    spdlog::info("http: listening on {}:{}", host, http_->port());
    // Tests and scripts read the actual port (listen = "127.0.0.1:0").
    std::printf("http %s:%u\n", host.c_str(), static_cast<unsigned>(http_->port()));
    std::fflush(stdout);
  }
  if (cfg_.mqtt_enabled) {
    mqtt_ = std::make_unique<MqttPublisher>(
        io_, cfg_, id_,
        [this](std::uint64_t after, int limit, std::function<void(bool, const Json&)> done) {
          link_.request(Json{{"cmd", "events"}, {"after", after}, {"limit", limit}},
                        [done = std::move(done)](const Json& r) {
                          const bool ok = r.value("ok", false) && r.contains("result");
                          done(ok, ok ? r["result"].value("events", Json::array()) : Json::array());
                        });
        });
    mqtt_->start();
  }
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      reload();
    } else {
      shutdown();
    }
  });
  link_.start();
  poll();
  sample_history();
  spdlog::info("ess-gateway {} for essd at {} as \"{}\"", ESSD_VERSION, cfg_.socket, id_);
  return 0;
}

int App::run() {
  io_.run();
  return 0;
}

void App::on_essd_up() {
  view_.up = true;
  view_.hello = link_.hello();
  status_seen_since_up_ = false;
  // watch first: every event after this point reaches us as a push.
  link_.request(Json{{"cmd", "watch"}, {"enable", true}}, [](const Json&) {});
  link_.request(Json{{"cmd", "status"}}, [this](const Json& r) {
    if (r.value("ok", false)) on_push(Json{{"status", r["result"]}});
  });
  poll();
  find_event_baseline(0, std::nullopt);
}

void App::on_essd_down() {
  view_.clear();
  last_display_.clear();
  status_seen_since_up_ = false;
  hub_.publish_unavailable();
  if (mqtt_) mqtt_->essd_down();
}

// The latest seq in essd's history, by probing `events after=X limit=1`
// (essd's events without `after` start from the oldest): latest is in
// [lo, hi]; a probe at X answers either "nothing after X" or the next seq.
void App::find_event_baseline(std::uint64_t lo, std::optional<std::uint64_t> hi) {
  if (!mqtt_) return;
  if (hi && *hi <= lo) {
    mqtt_->set_event_baseline(lo);
    return;
  }
  const std::uint64_t x = !hi ? (lo == 0 ? 0 : lo * 2) : lo + (*hi - lo) / 2;
  link_.request(Json{{"cmd", "events"}, {"after", x}, {"limit", 1}},
                lifetime_.guard([this, lo, hi, x](const Json& r) {
                  if (!r.value("ok", false)) return;  // essd gone: asked again when it is back
                  const Json& evs = r["result"]["events"];
                  if (!evs.is_array() || evs.empty()) {
                    if (x == lo) {
                      mqtt_->set_event_baseline(lo);
                      return;
                    }
                    find_event_baseline(lo, x);
                    return;
                  }
                  const auto seq = evs[0].value("seq", x + 1);
                  find_event_baseline(std::max(seq, lo), hi);
                }));
}

void App::on_push(const Json& push) {
  if (push.contains("status") && push["status"].is_object()) {
    view_.status = push["status"];
    hub_.publish_status(view_.status.dump());
    if (mqtt_) {
      if (!status_seen_since_up_) {
        mqtt_->essd_up(view_);
      } else {
        mqtt_->update(view_);
      }
    }
    if (history_.size() == 0) {
      history_timer_.cancel();  // the first sample at once, then one per 10 s
      status_seen_since_up_ = true;
      sample_history();
    }
    status_seen_since_up_ = true;
  } else if (push.contains("event") && push["event"].is_object()) {
    hub_.publish_event(push["event"].dump());
    if (mqtt_) mqtt_->event(push["event"]);
  }
}

void App::poll() {
  poll_timer_.cancel();
  if (link_.up()) {
    link_.request(Json{{"cmd", "modules"}}, lifetime_.guard([this](const Json& r) {
      if (!r.value("ok", false)) return;
      view_.modules = r["result"].value("modules", Json::array());
      if (mqtt_ && status_seen_since_up_) mqtt_->update(view_);
    }));
    link_.request(Json{{"cmd", "display"}}, lifetime_.guard([this](const Json& r) {
      if (!r.value("ok", false)) return;
      view_.display = r["result"];
      std::string text = view_.display.dump();
      if (text != last_display_) {
        last_display_ = text;
        hub_.publish_display(text);
      }
    }));
    link_.request(Json{{"cmd", "counters"}}, lifetime_.guard([this](const Json& r) {
      if (!r.value("ok", false)) return;
      view_.counters = r["result"];
    }));
  }
  poll_timer_.expires_after(poll_period(cfg_));
  poll_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (!ec && !stopping_) poll();
  }));
}

void App::sample_history() {
  if (view_.up && view_.status.is_object()) {
    Json f = state_fields(view_.status, Json::array());
    Sample s;
    s.t = std::chrono::duration_cast<std::chrono::seconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
    s.voltage_v = f["voltage_v"];
    s.current_a = f["current_a"];
    s.power_w = f["power_w"];
    s.rsoc_pct = f["rsoc_pct"];
    history_.add(s);
  }
  history_timer_.expires_after(std::chrono::seconds(10));
  history_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (!ec && !stopping_) sample_history();
  }));
}

void App::reload() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP)
      reload();
    else
      shutdown();
  });
  ConfigLoad l = load_config(config_path_, config_named_);
  if (!l.ok) {
    for (const auto& e : l.errors) spdlog::error("{}", e);
    spdlog::error("reload: {} rejected; the running configuration is kept", config_path_);
    return;
  }
  GatewayConfig old = cfg_;
  cfg_ = l.config;
  const std::string new_id = reduced_id(cfg_.id);
  if (cfg_.http_listen != old.http_listen || cfg_.http_enabled != old.http_enabled) {
    spdlog::warn("reload: http.listen and http.enabled take effect at the next start");
    cfg_.http_listen = old.http_listen;
    cfg_.http_enabled = old.http_enabled;
  }
  if (cfg_.socket != old.socket) {
    link_.set_socket_path(cfg_.socket);
    link_.stop();
    on_essd_down();
    link_.start();
  }
  history_.set_hours(cfg_.history_hours);
  apply_access();
  if (cfg_.mqtt_enabled && !mqtt_) {
    cfg_.mqtt_enabled = false;
    spdlog::warn("reload: mqtt.enabled takes effect at the next start");
  } else if (!cfg_.mqtt_enabled && mqtt_) {
    spdlog::warn("reload: mqtt stays enabled until the next start");
    cfg_.mqtt_enabled = true;
  }
  id_ = new_id;
  if (mqtt_) mqtt_->reconfigure(cfg_, id_, view_);
  spdlog::info("reload: {} applied", config_path_);
}

void App::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("ess-gateway stopping");
  poll_timer_.cancel();
  history_timer_.cancel();
  if (http_) http_->stop();
  hub_.stop();
  auto finish = [this] {
    link_.stop();
    io_.stop();
  };
  if (mqtt_) {
    mqtt_->stop(finish);
  } else {
    finish();
  }
}

}  // namespace essd::gateway
