// SPDX-License-Identifier: MIT
#pragma once
// Home Assistant MQTT discovery configs (docs/gateway.md "MQTT"): one retained config per
// entity, one device per controller. Pure: topics and payloads only.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace essd::gateway {

struct DiscoveryContext {
  std::string id;                // reduced id
  std::string base;              // <prefix>/<id>
  std::string discovery_prefix;  // "homeassistant"
  std::string model;             // from essd's hello/status
  std::string sw_version;        // essd's version
  std::string site;              // suggested_area when non-empty
};

struct DiscoveryMessage {
  std::string topic;
  nlohmann::json payload;
};

/// The system's entities (voltage ... problem).
std::vector<DiscoveryMessage> system_discovery(const DiscoveryContext& c);
/// module<N>_voltage, module<N>_soc, module<N>_temp_max.
std::vector<DiscoveryMessage> module_discovery(const DiscoveryContext& c, int address);

}  // namespace essd::gateway
