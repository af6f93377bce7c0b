// SPDX-License-Identifier: MIT
#pragma once
// GET /metrics: docs/gateway.md's metrics in the Prometheus text format 0.0.4,
// built with prometheus-cpp's core (registry, families, text serializer)
// from the gateway's cached view of essd. A fresh registry per scrape: a
// series that no longer exists (a module gone, the heatsink sensor absent,
// essd unreachable) simply is not there, with no stale values left behind.
#include <cstdint>
#include <string>

#include "gateway/state_model.hpp"

namespace essd::gateway {

struct GatewayStats {
  bool mqtt_enabled = false;
  bool mqtt_connected = false;
  std::uint64_t mqtt_messages = 0;
  std::uint64_t mqtt_dropped = 0;
  std::uint64_t http_clients = 0;
  std::uint64_t essd_reconnects = 0;
};

std::string render_metrics(const EssdView& view, const std::string& id, const GatewayStats& gw);

}  // namespace essd::gateway
