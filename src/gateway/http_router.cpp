// SPDX-License-Identifier: MIT
#include "gateway/http_router.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

namespace essd::gateway::http {

namespace {

const char* code_for(bhttp::status s) {
  switch (s) {
    case bhttp::status::bad_request:
      return "bad_request";
    case bhttp::status::unauthorized:
      return "unauthorized";
    case bhttp::status::forbidden:
      return "forbidden";
    case bhttp::status::not_found:
      return "not_found";
    case bhttp::status::method_not_allowed:
      return "method_not_allowed";
    case bhttp::status::payload_too_large:
      return "payload_too_large";
    case bhttp::status::request_header_fields_too_large:
      return "headers_too_large";
    case bhttp::status::service_unavailable:
      return "unavailable";
    default:
      return "internal";
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

// Equal-time comparison: the token must not leak through response timing.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Response json_response(std::string body, unsigned version, bhttp::status status) {
  Response r{status, version};
  r.set(bhttp::field::content_type, "application/json");
  r.set(bhttp::field::cache_control, "no-store");
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

Response text_response(std::string body, std::string_view content_type, unsigned version,
                       bhttp::status status) {
  Response r{status, version};
  r.set(bhttp::field::content_type,
        boost::beast::string_view(content_type.data(), content_type.size()));
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

Response json_error(bhttp::status status, std::string_view message, unsigned version) {
  nlohmann::json j{{"error", {{"code", code_for(status)}, {"message", std::string(message)}}}};
  // The message may quote the request (its path): invalid UTF-8 there is
  // replaced, not thrown (found by fuzz_http_request).
  return json_response(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), version,
                       status);
}

Response parse_error_response(const boost::beast::error_code& ec) {
  Response r;
  if (ec == bhttp::error::header_limit) {
    r = json_error(bhttp::status::request_header_fields_too_large, "request head over 8 KiB");
  } else if (ec == bhttp::error::body_limit) {
    r = json_error(bhttp::status::payload_too_large, "request body over 4 KiB");
  } else {
    r = json_error(bhttp::status::bad_request, "malformed request: " + ec.message());
  }
  r.keep_alive(false);
  return r;
}

bool split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query) {
  if (target.empty() || target.front() != '/') return false;
  const auto q = target.find('?');
  if (!decode(target.substr(0, q), path, false)) return false;
  if (path.find('\0') != std::string::npos) return false;
  query.clear();
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string k, v;
    if (!decode(pair.substr(0, eq), k, true)) return false;
    if (eq != std::string_view::npos && !decode(pair.substr(eq + 1), v, true)) return false;
    query[k] = v;
  }
  return true;
}

std::string presented_token(const Message& m) {
  if (auto it = m.find(bhttp::field::authorization); it != m.end()) {
    std::string_view v(it->value().data(), it->value().size());
    constexpr std::string_view kBearer = "Bearer ";
    if (v.size() > kBearer.size() && v.substr(0, kBearer.size()) == kBearer) {
      return std::string(v.substr(kBearer.size()));
    }
  }
  for (auto it = m.find(bhttp::field::cookie); it != m.end() && it->name() == bhttp::field::cookie;
       ++it) {
    std::string_view v(it->value().data(), it->value().size());
    while (!v.empty()) {
      const auto semi = v.find(';');
      std::string_view c = v.substr(0, semi);
      v = semi == std::string_view::npos ? std::string_view{} : v.substr(semi + 1);
      while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
      constexpr std::string_view kName = "ess_token=";
      if (c.substr(0, kName.size()) == kName) return std::string(c.substr(kName.size()));
    }
  }
  return {};
}

bool token_ok(const AccessPolicy& p, const Message& m) {
  if (p.token.empty()) return true;
  return same_secret(presented_token(m), p.token);
}

void Router::add(bhttp::verb method, std::string path, Handler h) {
  routes_[std::move(path)][method] = std::move(h);
}

void Router::register_static(std::string path, std::string content_type, std::string_view body) {
  add(bhttp::verb::get, std::move(path),
      [content_type = std::move(content_type), body](const Request& req, const Respond& respond) {
        Response r{bhttp::status::ok, req.msg.version()};
        r.set(bhttp::field::content_type, content_type);
        r.set(bhttp::field::cache_control, "no-cache");
        r.body() = std::string(body);
        r.prepare_payload();
        respond(std::move(r));
      });
}

bool Router::is_stream(const std::string& path) const {
  for (const auto& s : streams_) {
    if (s == path) return true;
  }
  return false;
}

void Router::route(const Request& req, const Respond& respond) const {
  auto it = routes_.find(req.path);
  if (it == routes_.end() && !is_stream(req.path)) {
    respond(
        json_error(bhttp::status::not_found, "no such resource: " + req.path, req.msg.version()));
    return;
  }
  const bhttp::verb method =
      req.msg.method() == bhttp::verb::head ? bhttp::verb::get : req.msg.method();
  if (it != routes_.end()) {
    if (auto h = it->second.find(method); h != it->second.end()) {
      h->second(req, respond);
      return;
    }
  }
  std::string allow;
  if (it != routes_.end()) {
    for (const auto& [verb, h] : it->second) {
      allow += (allow.empty() ? "" : ", ") + std::string(bhttp::to_string(verb));
    }
  } else {
    allow = "GET";
  }
  Response r = json_error(bhttp::status::method_not_allowed,
                          std::string(req.msg.method_string()) + " is not allowed on " + req.path,
                          req.msg.version());
  r.set(bhttp::field::allow, allow);
  respond(std::move(r));
}

void Router::handle(Message msg, const AccessPolicy& policy, const Respond& respond) const {
  Request req;
  const std::string target(msg.target());
  if (!split_target(target, req.path, req.query)) {
    respond(json_error(bhttp::status::bad_request, "malformed request target", msg.version()));
    return;
  }
  const bool via_query = req.path == "/" && req.query.count("token") > 0;
  if (!policy.token.empty() && !token_ok(policy, msg) &&
      !(via_query && same_secret(req.query["token"], policy.token))) {
    Response r = json_error(bhttp::status::unauthorized, "token missing or wrong", msg.version());
    r.set(bhttp::field::www_authenticate, "Bearer");
    respond(std::move(r));
    return;
  }
  req.msg = std::move(msg);
  if (via_query && !policy.token.empty()) {
    // GET /?token=...: the page, and a cookie so that its own requests
    // (fetch, EventSource) carry the token.
    std::string cookie = "ess_token=" + req.query["token"] + "; HttpOnly; SameSite=Strict; Path=/";
    route(req, [respond, cookie](Response r) {
      if (r.result() == bhttp::status::ok) r.set(bhttp::field::set_cookie, cookie);
      respond(std::move(r));
    });
    return;
  }
  route(req, respond);
}

}  // namespace essd::gateway::http
