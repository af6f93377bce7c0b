#pragma once
// The web panel's assets, embedded in the binary. Until the panel lands
// (web/), GET / answers a minimal page pointing at the JSON endpoints.
#include "gateway/http_router.hpp"

namespace essd::gateway {

void register_web_assets(http::Router& router);

}  // namespace essd::gateway
