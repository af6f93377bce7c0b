// SPDX-License-Identifier: MIT
#include "gateway/web_assets.hpp"

#include <string>

#include "web/embedded_assets.hpp"

namespace essd::gateway {

namespace {

using http::bhttp::field;
using http::bhttp::status;

// The page loads nothing but its own files and talks only to this gateway.
constexpr const char* kPagePolicy =
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors "
    "'none'";

bool accepts_gzip(const http::Message& m) {
  auto it = m.find(field::accept_encoding);
  if (it == m.end()) return false;
  const std::string_view v(it->value().data(), it->value().size());
  return v.find("gzip") != std::string_view::npos;
}

bool etag_matches(const http::Message& m, std::string_view etag) {
  auto it = m.find(field::if_none_match);
  if (it == m.end()) return false;
  const std::string_view v(it->value().data(), it->value().size());
  return v == "*" || v.find(etag) != std::string_view::npos;
}

void answer_asset(const web::EmbeddedAsset& a, const http::Request& req,
                  const http::Respond& respond) {
  const bool html = a.content_type.starts_with("text/html");
  const bool gz = !a.gzip.empty() && accepts_gzip(req.msg);
  http::Response r{etag_matches(req.msg, a.etag) ? status::not_modified : status::ok,
                   req.msg.version()};
  // Revalidate every time (a 304 costs a round trip, not the bytes): the
  // files change with the binary, and their URLs do not.
  r.set(field::cache_control, "no-cache");
  r.set(field::etag, std::string(a.etag));
  r.set("X-Content-Type-Options", "nosniff");
  if (!a.gzip.empty()) r.set(field::vary, "Accept-Encoding");
  if (html) {
    r.set("Content-Security-Policy", kPagePolicy);
    r.set("Referrer-Policy", "no-referrer");
  }
  if (r.result() == status::ok) {
    r.set(field::content_type, std::string(a.content_type));
    if (gz) r.set(field::content_encoding, "gzip");
    r.body() = std::string(gz ? a.gzip : a.body);
  }
  if (r.result() == status::ok) r.prepare_payload();
  respond(std::move(r));
}

}  // namespace

void register_web_assets(http::Router& router, std::function<nlohmann::json()> info) {
  for (const auto& asset : web::embedded_assets()) {
    router.add(http::bhttp::verb::get, std::string(asset.path),
               [&asset](const http::Request& req, const http::Respond& respond) {
                 answer_asset(asset, req, respond);
               });
  }
  router.add(http::bhttp::verb::get, "/api/gateway",
             [info = std::move(info)](const http::Request& req, const http::Respond& respond) {
               respond(http::json_response(info().dump(), req.msg.version()));
             });
}

}  // namespace essd::gateway
