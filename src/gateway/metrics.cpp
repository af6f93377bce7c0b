// SPDX-License-Identifier: MIT
#include "gateway/metrics.hpp"

#include <map>
#include <set>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace essd::gateway {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::Registry;

constexpr const char* kModes[] = {"normal", "off", "maintenance", "shutdown"};
constexpr const char* kErrorCodes[] = {
    "comm_error",      "ov_error",           "discharge_error",       "no_module",
    "topology_gap",    "topology_duplicate", "topology_too_many",     "topology_too_few",
    "topology_count",  "topology_pair",      "topology_voltage",      "maintenance",
    "heatsink",        "overcurrent_charge", "overcurrent_discharge", "balance",
    "host_disconnect", "state_file"};

const Json& at(const Json& j, const char* k) {
  static const Json kNullJson;
  if (!j.is_object()) return kNullJson;
  auto it = j.find(k);
  return it == j.end() ? kNullJson : *it;
}

class Builder {
 public:
  explicit Builder(Registry& r) : r_(r) {}
  void gauge(const std::string& name, const std::string& help, const prometheus::Labels& labels,
             const Json& v, double scale = 1.0) {
    if (v.is_boolean()) {
      family(name, help).Add(labels).Set(v.get<bool>() ? 1.0 : 0.0);
    } else if (v.is_number()) {
      family(name, help).Add(labels).Set(v.get<double>() * scale);
    }
  }
  void gauge(const std::string& name, const std::string& help, const prometheus::Labels& labels,
             double v) {
    family(name, help).Add(labels).Set(v);
  }
  void counter(const std::string& name, const std::string& help, const prometheus::Labels& labels,
               const Json& v) {
    if (!v.is_number()) return;
    auto it = counters_.find(name);
    if (it == counters_.end())
      it = counters_.emplace(name, &BuildCounter().Name(name).Help(help).Register(r_)).first;
    it->second->Add(labels).Increment(v.get<double>());
  }

 private:
  prometheus::Family<prometheus::Gauge>& family(const std::string& name, const std::string& help) {
    auto it = gauges_.find(name);
    if (it == gauges_.end())
      it = gauges_.emplace(name, &BuildGauge().Name(name).Help(help).Register(r_)).first;
    return *it->second;
  }
  Registry& r_;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges_;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters_;
};

void system_metrics(Builder& b, const EssdView& v, const std::string& id) {
  const Json& s = v.status;
  b.gauge("essd_info", "Controller identity",
          {{"id", id},
           {"version",
            v.hello.value("version",
                          at(s, "version").is_string() ? at(s, "version").get<std::string>() : "")},
           {"model", at(s, "model").is_string() ? at(s, "model").get<std::string>()
                                                : v.hello.value("model", "")},
           {"topology", at(s, "topology").is_string() ? at(s, "topology").get<std::string>() : ""}},
          1.0);
  b.gauge("essd_voltage_volts", "System voltage", {}, at(s, "voltage_v"));
  b.gauge("essd_current_amperes", "System current (negative: discharge)", {}, at(s, "current_a"));
  const Json& volts = at(s, "voltage_v");
  const Json& amps = at(s, "current_a");
  if (volts.is_number() && amps.is_number())
    b.gauge("essd_power_watts", "System power", {}, volts.get<double>() * amps.get<double>());
  b.gauge("essd_state_of_charge_ratio", "Relative state of charge", {}, at(s, "rsoc_pct"), 0.01);
  for (const char* p : {"charge", "discharge"}) {
    b.gauge("essd_path_closed", "1 while the path is closed", {{"path", p}},
            Json(at(at(s, p), "closed").is_boolean() && at(at(s, p), "closed").get<bool>()));
  }
  const std::string mode = at(s, "mode").is_string() ? at(s, "mode").get<std::string>() : "";
  for (const char* m : kModes)
    b.gauge("essd_mode", "1 for the current mode", {{"mode", m}}, mode == m ? 1.0 : 0.0);
  std::set<std::string> active;
  if (const Json& errs = at(s, "errors"); errs.is_array()) {
    for (const auto& e : errs) {
      if (at(e, "code").is_string()) active.insert(at(e, "code").get<std::string>());
    }
  }
  for (const char* c : kErrorCodes) {
    b.gauge("essd_error_active", "1 while the error stands", {{"code", c}},
            active.count(c) ? 1.0 : 0.0);
  }
  const Json& lim = at(s, "limits");
  b.gauge("essd_limit_current_amperes", "Host current limit", {{"direction", "charge"}},
          at(lim, "ccl_a"));
  b.gauge("essd_limit_current_amperes", "Host current limit", {{"direction", "discharge"}},
          at(lim, "dcl_a"));
  b.gauge("essd_limit_voltage_volts", "Host voltage limit", {{"direction", "charge"}},
          at(lim, "cvl_v"));
  b.gauge("essd_limit_voltage_volts", "Host voltage limit", {{"direction", "discharge"}},
          at(lim, "dvl_v"));
  b.gauge("essd_heatsink_celsius", "Heatsink temperature", {}, at(s, "heatsink_c"));
  b.gauge("essd_modules", "Modules by link state", {{"link", "connected"}},
          at(s, "modules_connected"));
  b.gauge("essd_modules", "Modules by link state", {{"link", "lost"}}, at(s, "modules_lost"));
}

void module_metrics(Builder& b, const EssdView& v) {
  for (const auto& m : v.modules) {
    if (!at(m, "address").is_number_integer()) continue;
    const std::string a = std::to_string(at(m, "address").get<int>());
    b.gauge("essd_module_voltage_volts", "Module voltage", {{"module", a}}, at(m, "voltage_v"));
    b.gauge("essd_module_current_amperes", "Module current", {{"module", a}}, at(m, "current_a"));
    b.gauge("essd_module_state_of_charge_ratio", "Module relative state of charge", {{"module", a}},
            at(m, "rsoc_pct"), 0.01);
    b.gauge("essd_module_temperature_celsius", "Module temperature",
            {{"module", a}, {"kind", "min"}}, at(m, "temp_min_c"));
    b.gauge("essd_module_temperature_celsius", "Module temperature",
            {{"module", a}, {"kind", "max"}}, at(m, "temp_max_c"));
    b.gauge("essd_module_temperature_celsius", "Module temperature",
            {{"module", a}, {"kind", "avg"}}, at(m, "temp_avg_c"));
    b.gauge("essd_module_cycles", "Module cycle count", {{"module", a}}, at(m, "cycles"));
    b.gauge("essd_module_alarms", "Module ALARMS bit field", {{"module", a}}, at(m, "alarms"));
    if (const Json& cells = at(m, "cells_mv"); cells.is_array()) {
      int n = 0;
      for (const auto& c : cells) {
        if (++n > 16) break;
        b.gauge("essd_cell_voltage_volts", "Cell voltage",
                {{"module", a}, {"cell", std::to_string(n)}}, c, 0.001);
      }
    }
  }
}

void counter_metrics(Builder& b, const EssdView& v) {
  const Json& c = v.counters;
  const Json& bus = at(c, "bus");
  b.counter("essd_bus_frames_received_total", "Module bus frames received", {},
            at(bus, "frames_in"));
  if (const Json& inv = at(bus, "invalid"); inv.is_object()) {
    for (const auto& [reason, n] : inv.items()) {
      b.counter("essd_bus_frames_invalid_total", "Invalid module bus frames", {{"reason", reason}},
                n);
    }
  }
  b.counter("essd_ctrl_frames_sent_total", "CTRL frames sent", {}, at(bus, "ctrl_sent"));
  b.gauge("essd_api_clients", "API clients connected to essd", {}, at(at(c, "api"), "clients"));
  const Json& up = at(c, "uptime_s").is_number() ? at(c, "uptime_s") : at(v.status, "uptime_s");
  b.gauge("essd_uptime_seconds", "essd's uptime", {}, up);
}

}  // namespace

std::string render_metrics(const EssdView& view, const std::string& id, const GatewayStats& gw) {
  Registry registry;
  Builder b(registry);
  b.gauge("essd_up", "1 while essd answers", {}, view.up ? 1.0 : 0.0);
  if (view.up && view.status.is_object()) {
    system_metrics(b, view, id);
    module_metrics(b, view);
    counter_metrics(b, view);
  }
  b.gauge("essd_gateway_mqtt_connected", "1 while the gateway is connected to the broker", {},
          gw.mqtt_connected ? 1.0 : 0.0);
  b.counter("essd_gateway_mqtt_messages_total", "MQTT messages the broker acknowledged", {},
            Json(gw.mqtt_messages));
  b.counter("essd_gateway_mqtt_dropped_total",
            "MQTT messages superseded by a newer one before the broker took them", {},
            Json(gw.mqtt_dropped));
  b.gauge("essd_gateway_http_clients", "HTTP connections open", {},
          static_cast<double>(gw.http_clients));
  b.counter("essd_gateway_essd_connects_total", "Connections made to essd", {},
            Json(gw.essd_reconnects));
  prometheus::TextSerializer ser;
  return ser.Serialize(registry.Collect());
}

}  // namespace essd::gateway
