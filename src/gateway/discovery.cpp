// SPDX-License-Identifier: MIT
#include "gateway/discovery.hpp"

namespace essd::gateway {

namespace {

using Json = nlohmann::json;

struct Entity {
  std::string object;
  const char* component;
  const char* device_class;  // "" = none
  const char* unit;          // "" = none
  std::string field;
  std::string name;
  bool diagnostic = false;
};

Json device(const DiscoveryContext& c) {
  Json d{{"identifiers", Json::array({"essd_" + c.id})},
         {"manufacturer", "Sony"},
         {"model", c.model},
         {"sw_version", c.sw_version},
         {"name", "ESS " + c.id}};
  if (!c.site.empty()) d["suggested_area"] = c.site;
  return d;
}

DiscoveryMessage make(const DiscoveryContext& c, const Entity& e, const std::string& state_topic) {
  Json p{{"name", e.name},
         {"unique_id", "essd_" + c.id + "_" + e.object},
         {"object_id", "essd_" + c.id + "_" + e.object},
         {"availability_topic", c.base + "/availability"},
         {"state_topic", state_topic},
         {"device", device(c)}};
  if (*e.device_class) p["device_class"] = e.device_class;
  if (*e.unit) {
    p["unit_of_measurement"] = e.unit;
    p["state_class"] = "measurement";
  }
  if (e.diagnostic) p["entity_category"] = "diagnostic";
  const std::string component = e.component;
  if (component == "binary_sensor") {
    const std::string test =
        e.object == "problem" ? "value_json.errors | length > 0" : "value_json." + e.field;
    p["value_template"] = "{{ 'ON' if " + test + " else 'OFF' }}";
    p["payload_on"] = "ON";
    p["payload_off"] = "OFF";
  } else {
    p["value_template"] = "{{ value_json." + e.field + " }}";
  }
  if (e.object == "mode") p["options"] = Json::array({"normal", "off", "maintenance", "shutdown"});
  return {c.discovery_prefix + "/" + component + "/essd_" + c.id + "/" + e.object + "/config",
          std::move(p)};
}

}  // namespace

std::vector<DiscoveryMessage> system_discovery(const DiscoveryContext& c) {
  static const std::vector<Entity> kEntities = {
      {"voltage", "sensor", "voltage", "V", "voltage_v", "Voltage"},
      {"current", "sensor", "current", "A", "current_a", "Current"},
      {"power", "sensor", "power", "W", "power_w", "Power"},
      {"soc", "sensor", "battery", "%", "rsoc_pct", "State of charge"},
      {"cell_min", "sensor", "voltage", "mV", "cell_min_mv", "Lowest cell"},
      {"cell_max", "sensor", "voltage", "mV", "cell_max_mv", "Highest cell"},
      {"cell_delta", "sensor", "voltage", "mV", "cell_delta_mv", "Cell spread"},
      {"temp_min", "sensor", "temperature", "°C", "temp_min_c", "Lowest temperature"},
      {"temp_max", "sensor", "temperature", "°C", "temp_max_c", "Highest temperature"},
      {"heatsink", "sensor", "temperature", "°C", "heatsink_c", "Heatsink"},
      {"ccl", "sensor", "current", "A", "ccl_a", "Charge current limit", true},
      {"dcl", "sensor", "current", "A", "dcl_a", "Discharge current limit", true},
      {"cvl", "sensor", "voltage", "V", "cvl_v", "Charge voltage limit", true},
      {"dvl", "sensor", "voltage", "V", "dvl_v", "Discharge voltage limit", true},
      {"modules_connected", "sensor", "", "", "modules_connected", "Modules connected"},
      {"mode", "sensor", "enum", "", "mode", "Mode"},
      {"charge_path", "binary_sensor", "power", "", "charge_closed", "Charge path"},
      {"discharge_path", "binary_sensor", "power", "", "discharge_closed", "Discharge path"},
      {"problem", "binary_sensor", "problem", "", "errors", "Problem"},
  };
  std::vector<DiscoveryMessage> out;
  out.reserve(kEntities.size());
  for (const auto& e : kEntities) out.push_back(make(c, e, c.base + "/state"));
  return out;
}

std::vector<DiscoveryMessage> module_discovery(const DiscoveryContext& c, int address) {
  const std::string n = std::to_string(address);
  const std::string m = "module" + n;
  const std::vector<Entity> entities = {
      {m + "_voltage", "sensor", "voltage", "V", "voltage_v", "Module " + n + " voltage"},
      {m + "_soc", "sensor", "battery", "%", "rsoc_pct", "Module " + n + " state of charge"},
      {m + "_temp_max", "sensor", "temperature", "°C", "temp_max_c",
       "Module " + n + " highest temperature"},
  };
  std::vector<DiscoveryMessage> out;
  out.reserve(entities.size());
  for (const auto& e : entities) out.push_back(make(c, e, c.base + "/module/" + n));
  return out;
}

}  // namespace essd::gateway
