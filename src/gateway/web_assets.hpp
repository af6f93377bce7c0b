// SPDX-License-Identifier: MIT
#pragma once
// The web panel (web/): its embedded files on GET, with ETag, gzip and cache
// headers, and GET /api/gateway, what the page needs to know about this
// gateway (id, site, whether control is allowed, the trend's span).
#include <functional>

#include <nlohmann/json.hpp>

#include "gateway/http_router.hpp"

namespace essd::gateway {

/// `info` is called for every GET /api/gateway, so a reload shows at once.
void register_web_assets(http::Router& router, std::function<nlohmann::json()> info);

}  // namespace essd::gateway
