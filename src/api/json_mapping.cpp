// SPDX-License-Identifier: MIT
#include "api/json_mapping.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "essd/version.hpp"

namespace essd::api {
namespace {

// Aggregates are means of 10 mV / 100 mA steps; three decimals keep every
// real digit without printing binary noise such as 53.200000000000003.
double round3(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

Json path_json(const PathSnapshot& p) {
  return Json{{"closed", p.closed}, {"blocked_by", p.blocked_by}};
}

std::string hex4(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", v & 0xFFFFu);
  return buf;
}

/// cells_mv, cell_temps_c and invalid_frames of one module.
void add_cell_fields(Json& j, const ModuleSnapshot& m) {
  // Unknown cells (never reported, or "no cell") are null, not a fake 0 mV.
  Json cells = Json::array();
  for (auto mv : m.cells_mv) {
    cells.push_back(mv == 0 || mv == bus::kNoCell ? Json(nullptr) : Json(mv));
  }
  j["cells_mv"] = std::move(cells);
  Json temps = Json::array();
  for (auto c : m.cell_temps_c) {
    temps.push_back(c == bus::kNoSensor ? Json(nullptr) : Json(static_cast<int>(c)));
  }
  j["cell_temps_c"] = std::move(temps);
  Json inv = Json::object();
  for (int r = 0; r < bus::kInvalidReasonCount; ++r) {
    inv[std::string(to_string(static_cast<bus::DecodeError>(r)))] = m.invalid[r];
  }
  j["invalid_frames"] = std::move(inv);
}

}  // namespace

std::string rfc3339(std::int64_t wall_ms) {
  // Floor division so that times before 1970 (never expected) stay sane.
  std::time_t secs =
      static_cast<std::time_t>(wall_ms >= 0 ? wall_ms / 1000 : -((-wall_ms + 999) / 1000));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json status_json(const SystemSnapshot& s, const TimeRef& t, std::int64_t uptime_s) {
  Json errors = Json::array();
  for (const auto& e : s.errors) {
    errors.push_back(
        {{"code", e.code}, {"text", e.text}, {"since", rfc3339(t.to_wall(e.since_ms))}});
  }
  Json j{
      {"model", to_string(s.model)},
      {"topology", to_string(s.topology)},
      {"mode", to_string(s.mode)},
      {"voltage_v", round3(s.voltage_v)},
      {"current_a", round3(s.current_a)},
      {"rsoc_pct", s.rsoc_known ? Json(round3(s.rsoc_pct)) : Json(nullptr)},
      {"charge", path_json(s.charge)},
      {"discharge", path_json(s.discharge)},
      {"errors", std::move(errors)},
      {"limits",
       {{"cvl_v", round3(s.limits.cvl_v)},
        {"ccl_a", round3(s.limits.ccl_a)},
        {"dcl_a", round3(s.limits.dcl_a)},
        {"dvl_v", round3(s.limits.dvl_v)}}},
      {"heatsink_c", s.heatsink_c ? Json(round3(*s.heatsink_c)) : Json(nullptr)},
      {"modules_connected", s.modules_connected},
      {"modules_lost", s.modules_lost},
      {"con_map", s.con_map},
      {"version", std::string(kVersion)},
      {"uptime_s", uptime_s},
      // Additions beyond the docs/api.md example (clients ignore unknown fields).
      {"configured_modules", s.configured_modules},
      {"starting", s.starting},
      {"power_hold", s.power_hold},
      {"ctrl_mode", s.ctrl_mode},
  };
  return j;
}

Json module_json(const ModuleSnapshot& m) {
  Json j{{"address", m.address},
         // "absent" cannot be listed (only seen addresses are), but a module
         // that was seen and then forgotten reads as lost, never connected.
         {"link", m.link == Link::connected ? "connected" : "lost"},
         {"stale", m.stale},
         {"age_ms", m.age_ms >= 0 ? Json(m.age_ms) : Json(nullptr)}};
  if (m.status) {
    const auto& st = *m.status;
    j["voltage_v"] = round3(st.voltage_10mv / 100.0);
    j["current_a"] = round3(st.current_100ma / 10.0);
    j["rsoc_pct"] = st.rsoc == bus::kRsocUnknown ? Json(nullptr) : Json(st.rsoc);
    j["state"] = st.state;
    j["state_text"] = std::string(bus::state_text(st.state));
    j["prev_state"] = st.prev_state;
    j["chg"] = st.chg;
    j["dis"] = st.dis;
    j["ov"] = st.ov;
  } else {
    for (const char* k : {"voltage_v", "current_a", "rsoc_pct", "state", "state_text", "prev_state",
                          "chg", "dis", "ov"}) {
      j[k] = nullptr;
    }
  }
  if (m.alarms) {
    const auto& a = *m.alarms;
    j["alarms"] = a.bits;
    j["alarm_text"] = std::string(bus::alarm_text(a.bits));
    j["temp_avg_c"] = round3(a.temp_avg_decic / 10.0);
    j["temp_min_c"] = a.temp_min_c;
    j["temp_max_c"] = a.temp_max_c;
    j["cycles"] = a.cycles;
  } else {
    for (const char* k :
         {"alarms", "alarm_text", "temp_avg_c", "temp_min_c", "temp_max_c", "cycles"}) {
      j[k] = nullptr;
    }
  }
  if (m.info) {
    const auto& i = *m.info;
    j["firmware"] = hex4(i.firmware);
    j["nominal_ah"] = round3(i.nominal_dah / 10.0);
    j["full_ah"] = round3(i.full_dah / 10.0);
    j["serial_byte"] = i.serial_byte;
  } else {
    for (const char* k : {"firmware", "nominal_ah", "full_ah", "serial_byte"}) j[k] = nullptr;
  }
  add_cell_fields(j, m);
  j["missed_frames"] = m.missed_frames;
  return j;
}

Json modules_json(const SystemSnapshot& s) {
  Json list = Json::array();
  for (const auto& m : s.modules) {
    if (m.seen) list.push_back(module_json(m));
  }
  return Json{{"modules", std::move(list)}};
}

Json display_json(const PanelView& v) {
  return Json{{"lines", v.lines},
              {"item", v.item},
              {"module", v.module},
              {"led", to_string(v.led)},
              {"chg_lamp", v.chg_lamp},
              {"dis_lamp", v.dis_lamp},
              {"error_screen", v.error_screen.empty() ? Json(nullptr) : Json(v.error_screen)},
              {"led_red_on", v.led_red_on},
              {"led_green_on", v.led_green_on}};
}

Json event_json(const EventRecord& e) {
  return Json{{"seq", e.seq},
              {"time", e.time},
              {"severity", to_string(e.severity)},
              {"kind", e.kind},
              {"message", e.message},
              {"data", e.data.is_null() ? Json::object() : Json(e.data)}};
}

nlohmann::json event_data(const Event& e) {
  nlohmann::json d = nlohmann::json::object();
  if (e.module >= 0) d["module"] = e.module;
  if (!e.cause.empty()) d["cause"] = e.cause;
  if (!e.path.empty()) d["path"] = e.path;
  return d;
}

}  // namespace essd::api
