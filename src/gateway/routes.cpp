// SPDX-License-Identifier: MIT
// The gateway's HTTP routes (docs/gateway.md "HTTP"); the web panel's assets are
// added to the same router with register_static().
#include <nlohmann/json.hpp>

#include "gateway/app.hpp"
#include "gateway/metrics.hpp"
#include "gateway/web_assets.hpp"

namespace essd::gateway {

using http::bhttp::status;
using http::bhttp::verb;

namespace {

std::optional<std::int64_t> parse_uint(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(s);
}

status status_for_essd_error(const std::string& code) {
  if (code == "invalid_argument" || code == "bad_request") return status::bad_request;
  if (code == "forbidden") return status::forbidden;
  return status::service_unavailable;
}

}  // namespace

void App::essd_result(const std::string& cmd, Json args, http::Respond respond, unsigned version) {
  if (!link_.up()) {
    respond(http::json_error(status::service_unavailable, "essd is unreachable", version));
    return;
  }
  args["cmd"] = cmd;
  link_.request(args, [respond = std::move(respond), version](const Json& r) {
    if (r.value("ok", false) && r.contains("result")) {
      respond(http::json_response(r["result"].dump(), version));
      return;
    }
    const Json e = r.value("error", Json::object());
    const std::string code = e.value("code", "unavailable");
    respond(http::json_error(status_for_essd_error(code), e.value("message", code), version));
  });
}

void App::add_routes() {
  auto handler = [this](void (App::*serve)(const http::Request&, const http::Respond&)) {
    return [this, serve](const http::Request& req, const http::Respond& respond) {
      (this->*serve)(req, respond);
    };
  };
  router_.add(verb::get, "/metrics", handler(&App::serve_metrics));
  router_.add(verb::get, "/healthz", handler(&App::serve_healthz));
  for (const char* cmd : {"status", "modules", "display"}) {
    router_.add(verb::get, std::string("/api/") + cmd,
                [this, cmd](const http::Request& req, const http::Respond& respond) {
                  essd_result(cmd, Json::object(), respond, req.msg.version());
                });
  }
  router_.add(verb::get, "/api/events", handler(&App::serve_events));
  router_.add(verb::get, "/api/history", handler(&App::serve_history));
  router_.add_stream("/api/stream");

  // Control: allow_control and a token_file, then essd's own privilege check.
  auto control = [this](const char* cmd, const char* field, bool (*valid)(const Json&)) {
    router_.add(verb::post, std::string("/api/") + cmd,
                [this, cmd, field, valid](const http::Request& req, const http::Respond& respond) {
                  serve_control(cmd, field, valid, req, respond);
                });
  };
  control("button", "press", [](const Json& p) { return p == "short" || p == "long"; });
  control("maintenance", "on", [](const Json& p) { return p.is_boolean(); });

  // What the web panel needs to know of this gateway (docs/web.md).
  register_web_assets(router_, [this] {
    return Json{{"id", id_},
                {"site", cfg_.site},
                {"version", ESSD_VERSION},
                {"allow_control", cfg_.allow_control && !cfg_.http_token_file.empty()},
                {"history_hours", cfg_.history_hours}};
  });
}

void App::serve_metrics(const http::Request& req, const http::Respond& respond) {
  GatewayStats gw;
  if (mqtt_) {
    auto s = mqtt_->stats();
    gw.mqtt_enabled = true;
    gw.mqtt_connected = s.connected;
    gw.mqtt_messages = s.messages;
    gw.mqtt_dropped = s.dropped;
  }
  gw.http_clients = http_ ? http_->clients() : 0;
  gw.essd_reconnects = link_.reconnects();
  respond(http::text_response(render_metrics(view_, id_, gw),
                              "text/plain; version=0.0.4; charset=utf-8", req.msg.version()));
}

void App::serve_healthz(const http::Request& req, const http::Respond& respond) {
  if (link_.up()) {
    respond(http::text_response("ok\n", "text/plain; charset=utf-8", req.msg.version()));
  } else {
    respond(
        http::json_error(status::service_unavailable, "essd is unreachable", req.msg.version()));
  }
}

void App::serve_events(const http::Request& req, const http::Respond& respond) {
  Json args = Json::object();
  for (const char* k : {"after", "limit"}) {
    auto it = req.query.find(k);
    if (it == req.query.end()) continue;
    auto v = parse_uint(it->second);
    if (!v) {
      respond(http::json_error(status::bad_request,
                               std::string(k) + " must be a non-negative integer",
                               req.msg.version()));
      return;
    }
    args[k] = *v;
  }
  essd_result("events", std::move(args), respond, req.msg.version());
}

void App::serve_history(const http::Request& req, const http::Respond& respond) {
  const int max_minutes = cfg_.history_hours * 60;
  int minutes = max_minutes;
  if (auto it = req.query.find("minutes"); it != req.query.end()) {
    auto v = parse_uint(it->second);
    if (!v || *v < 1 || *v > max_minutes) {
      respond(http::json_error(status::bad_request,
                               "minutes must be an integer 1-" + std::to_string(max_minutes),
                               req.msg.version()));
      return;
    }
    minutes = static_cast<int>(*v);
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  respond(http::json_response(history_.to_json(now, minutes).dump(), req.msg.version()));
}

void App::serve_control(const char* cmd, const char* field, bool (*valid)(const Json&),
                        const http::Request& req, const http::Respond& respond) {
  const unsigned v = req.msg.version();
  if (!cfg_.allow_control) {
    respond(http::json_error(status::forbidden, "control is not allowed (http.allow_control)", v));
    return;
  }
  if (cfg_.http_token_file.empty()) {
    respond(http::json_error(status::forbidden, "http.allow_control needs an http.token_file", v));
    return;
  }
  Json body = Json::parse(req.msg.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains(field) || !valid(body[field])) {
    respond(http::json_error(status::bad_request,
                             std::string("body must be ") + (std::string(cmd) == "button"
                                                                 ? "{\"press\":\"short\"|\"long\"}"
                                                                 : "{\"on\":true|false}"),
                             v));
    return;
  }
  essd_result(cmd, Json{{field, body[field]}}, respond, v);
}

}  // namespace essd::gateway
