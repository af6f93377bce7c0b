#include "gateway/web_assets.hpp"

namespace essd::gateway {

namespace {
constexpr std::string_view kPlaceholder = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>ess-gateway</title></head>
<body><h1>ess-gateway</h1>
<p>The web panel is not part of this build. The data is at
<a href="/api/status">/api/status</a>, <a href="/api/modules">/api/modules</a>,
<a href="/api/display">/api/display</a>, <a href="/api/events">/api/events</a>,
<a href="/api/history">/api/history</a>, <a href="/api/stream">/api/stream</a> and
<a href="/metrics">/metrics</a>.</p>
<div id="banner"></div></body></html>
)";
}  // namespace

void register_web_assets(http::Router& router) {
  router.register_static("/", "text/html; charset=utf-8", kPlaceholder);
}

}  // namespace essd::gateway
