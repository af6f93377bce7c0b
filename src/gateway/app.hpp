// SPDX-License-Identifier: MIT
#pragma once
// ess-gateway's composition: one io_context, the essd link, the cached
// view, the MQTT publisher, the HTTP server with its routes and SSE hub,
// signals (SIGHUP reload, SIGTERM/SIGINT exit 0).
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "essd/lifetime.hpp"
#include "gateway/config.hpp"
#include "gateway/essd_link.hpp"
#include "gateway/http_router.hpp"
#include "gateway/http_server.hpp"
#include "gateway/mqtt_publisher.hpp"
#include "gateway/sse_hub.hpp"
#include "gateway/state_model.hpp"

namespace essd::gateway {

class App {
 public:
  App(boost::asio::io_context& io, GatewayConfig cfg, std::string config_path, bool config_named);
  ~App();
  /// 0, or the exit code (1: the HTTP port cannot be opened).
  int start();
  int run();

  /// The router, for routes added by other parts (the web panel's assets).
  http::Router& router() { return router_; }

 private:
  void add_routes();
  // The route handlers (docs/gateway.md "HTTP").
  void serve_metrics(const http::Request& req, const http::Respond& respond);
  void serve_healthz(const http::Request& req, const http::Respond& respond);
  void serve_events(const http::Request& req, const http::Respond& respond);
  void serve_history(const http::Request& req, const http::Respond& respond);
  void serve_control(const char* cmd, const char* field, bool (*valid)(const Json&),
                     const http::Request& req, const http::Respond& respond);
  void on_essd_up();
  void on_essd_down();
  void on_push(const Json& push);
  void poll();
  void sample_history();
  void find_event_baseline(std::uint64_t lo, std::optional<std::uint64_t> hi);
  void reload();
  void shutdown();
  void apply_access();
  void essd_result(const std::string& cmd, Json args, http::Respond respond, unsigned version);
  std::string read_token() const;

  boost::asio::io_context& io_;
  GatewayConfig cfg_;
  std::string config_path_;
  bool config_named_;
  std::string id_;
  EssdView view_;
  std::string last_display_;
  TrendHistory history_;
  EssdLink link_;
  std::unique_ptr<MqttPublisher> mqtt_;
  http::Router router_;
  http::SseHub hub_;
  std::unique_ptr<http::HttpServer> http_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer poll_timer_;
  boost::asio::steady_timer history_timer_;
  bool status_seen_since_up_ = false;
  bool stopping_ = false;
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::gateway
