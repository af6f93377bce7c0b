// SPDX-License-Identifier: MIT
#pragma once
// The gateway's HTTP request path, sans I/O: bytes through Beast's request
// parser with the gateway's limits (head 8 KiB, body 4 KiB), then the
// router with a token policy. Invariants: never crash or hang; every
// answer is a complete response whose status is one docs/gateway.md "HTTP" allows, and
// every error body is the JSON error object with the matching code.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <nlohmann/json.hpp>

#include "fuzz/targets/check.hpp"
#include "gateway/http_router.hpp"

namespace essd::fuzz {

inline void check_http_response(const gateway::http::Response& r) {
  const int s = r.result_int();
  ESSD_FUZZ_CHECK("http_request", s == 200 || s == 400 || s == 401 || s == 403 || s == 404 ||
                                      s == 405 || s == 413 || s == 431 || s == 503);
  if (s != 200) {
    auto j = nlohmann::json::parse(r.body(), nullptr, false);
    ESSD_FUZZ_CHECK("http_request",
                    j.is_object() && j.contains("error") && j["error"]["code"].is_string());
  }
}

inline void run_http_request(const std::uint8_t* data, std::size_t size) {
  namespace bhttp = gateway::http::bhttp;
  static gateway::http::Router router = [] {
    gateway::http::Router r;
    r.register_static("/", "text/html", "<html></html>");
    r.add(bhttp::verb::post, "/api/button",
          [](const gateway::http::Request& q, const gateway::http::Respond& done) {
            auto j = nlohmann::json::parse(q.msg.body(), nullptr, false);
            if (j.is_discarded()) {
              done(gateway::http::json_error(bhttp::status::bad_request, "bad body"));
              return;
            }
            done(gateway::http::json_response(j.dump()));
          });
    r.add_stream("/api/stream");
    return r;
  }();
  const gateway::http::AccessPolicy policy{size % 2 ? "tok" : "", false};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Several requests back to back, as keep-alive connections send them.
  for (int n = 0; n < 8 && !in.empty(); ++n) {
    bhttp::request_parser<bhttp::string_body> p;
    p.header_limit(gateway::http::kHeaderLimit);
    p.body_limit(gateway::http::kBodyLimit);
    p.eager(true);
    boost::beast::error_code ec;
    std::size_t used = p.put(boost::asio::buffer(in.data(), in.size()), ec);
    if (!ec && !p.is_done()) {
      p.put_eof(ec);
      if (!ec && !p.is_done()) return;  // incomplete: a connection would wait (under its deadline)
    }
    if (ec) {
      if (ec == bhttp::error::need_more) return;
      check_http_response(gateway::http::parse_error_response(ec));
      return;
    }
    bool answered = false;
    router.handle(p.release(), policy, [&](gateway::http::Response r) {
      answered = true;
      check_http_response(r);
    });
    ESSD_FUZZ_CHECK("http_request", answered);
    if (used == 0) return;
    in.remove_prefix(used);
  }
}

}  // namespace essd::fuzz
