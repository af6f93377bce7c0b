// SPDX-License-Identifier: MIT
#pragma once
// The gateway's HTTP request path without I/O: request and response types,
// the JSON errors of docs/gateway.md "HTTP", token checks and an extensible route table.
// The connection (http_connection) and the fuzz target both drive it.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace essd::gateway::http {

namespace bhttp = boost::beast::http;

inline constexpr std::size_t kHeaderLimit = std::size_t{8} * 1024;  // 431 above
inline constexpr std::size_t kBodyLimit = std::size_t{4} * 1024;    // 413 above

using Message = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using Respond = std::function<void(Response)>;

struct Request {
  Message msg;
  std::string path;                          // without the query
  std::map<std::string, std::string> query;  // decoded
};

using Handler = std::function<void(const Request&, Respond)>;

/// {"error":{"code":C,"message":M}} with the status that goes with C.
Response json_error(bhttp::status status, std::string_view message, unsigned version = 11);
Response json_response(std::string body, unsigned version = 11,
                       bhttp::status status = bhttp::status::ok);
Response text_response(std::string body, std::string_view content_type, unsigned version = 11,
                       bhttp::status status = bhttp::status::ok);
/// The error for a request that could not be parsed (431, 413 or 400).
Response parse_error_response(const boost::beast::error_code& ec);

/// Splits the target into path and decoded query; false when malformed.
bool split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query);

struct AccessPolicy {
  std::string token;  // "" = no token needed
  bool allow_control = false;
};
/// The token from "Authorization: Bearer" or the ess_token cookie, if any.
std::string presented_token(const Message& m);
bool token_ok(const AccessPolicy& p, const Message& m);

class Router {
 public:
  void add(bhttp::verb method, std::string path, Handler h);
  /// An asset embedded at build time (the web panel's files). `body` must
  /// outlive the router (a string literal or static storage).
  void register_static(std::string path, std::string content_type, std::string_view body);
  /// Routes that take the connection over (Server-Sent Events).
  void add_stream(std::string path) { streams_.push_back(std::move(path)); }
  bool is_stream(const std::string& path) const;
  /// Answers through `respond`: the route's handler, or 404 / 405.
  void route(const Request& req, const Respond& respond) const;
  /// Parses the target (400 when malformed) and checks the token (401)
  /// before routing; what connections call.
  void handle(Message msg, const AccessPolicy& policy, const Respond& respond) const;

 private:
  std::map<std::string, std::map<bhttp::verb, Handler>> routes_;
  std::vector<std::string> streams_;
};

}  // namespace essd::gateway::http
