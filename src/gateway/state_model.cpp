// SPDX-License-Identifier: MIT
#include "gateway/state_model.hpp"

#include <algorithm>
#include <ctime>

namespace essd::gateway {

namespace {

const Json& field(const Json& j, const char* name) {
  static const Json kNullJson;
  if (!j.is_object()) return kNullJson;
  auto it = j.find(name);
  return it == j.end() ? kNullJson : *it;
}

Json path_closed(const Json& status, const char* path) {
  const Json& p = field(status, path);
  const Json& c = field(p, "closed");
  return c.is_boolean() ? c : Json(false);
}

Json blocked_by(const Json& status, const char* path) {
  const Json& b = field(field(status, path), "blocked_by");
  return b.is_array() ? b : Json::array();
}

double round3(double v) {
  return static_cast<double>(static_cast<long long>(v * 1000.0 + (v < 0 ? -0.5 : 0.5))) / 1000.0;
}

}  // namespace

std::string rfc3339_utc(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json state_fields(const Json& status, const Json& modules) {
  Json s = Json::object();
  s["mode"] = field(status, "mode");
  const Json& v = field(status, "voltage_v");
  const Json& i = field(status, "current_a");
  s["voltage_v"] = v;
  s["current_a"] = i;
  s["power_w"] =
      v.is_number() && i.is_number() ? Json(round3(v.get<double>() * i.get<double>())) : Json();
  s["rsoc_pct"] = field(status, "rsoc_pct");
  s["charge_closed"] = path_closed(status, "charge");
  s["discharge_closed"] = path_closed(status, "discharge");
  s["charge_blocked_by"] = blocked_by(status, "charge");
  s["discharge_blocked_by"] = blocked_by(status, "discharge");
  Json codes = Json::array();
  if (const Json& errs = field(status, "errors"); errs.is_array()) {
    for (const auto& e : errs) codes.push_back(field(e, "code"));
  }
  s["errors"] = std::move(codes);
  const Json& lim = field(status, "limits");
  for (const char* k : {"cvl_v", "ccl_a", "dcl_a", "dvl_v"}) s[k] = field(lim, k);
  s["heatsink_c"] = field(status, "heatsink_c");
  s["modules_connected"] = field(status, "modules_connected");
  s["modules_lost"] = field(status, "modules_lost");

  std::optional<double> cmin, cmax, tmin, tmax;
  auto widen = [](std::optional<double>& lo, std::optional<double>& hi, double x) {
    lo = lo ? std::min(*lo, x) : x;
    hi = hi ? std::max(*hi, x) : x;
  };
  if (modules.is_array()) {
    for (const auto& m : modules) {
      if (field(m, "link") != "connected") continue;
      if (const Json& cells = field(m, "cells_mv"); cells.is_array()) {
        for (const auto& c : cells) {
          if (c.is_number()) widen(cmin, cmax, c.get<double>());
        }
      }
      const Json& lo = field(m, "temp_min_c");
      const Json& hi = field(m, "temp_max_c");
      if (lo.is_number()) widen(tmin, tmax, lo.get<double>());
      if (hi.is_number()) widen(tmin, tmax, hi.get<double>());
    }
  }
  auto opt = [](const std::optional<double>& x) { return x ? Json(*x) : Json(); };
  s["cell_min_mv"] = opt(cmin);
  s["cell_max_mv"] = opt(cmax);
  s["cell_delta_mv"] = cmin && cmax ? Json(*cmax - *cmin) : Json();
  s["temp_min_c"] = opt(tmin);
  s["temp_max_c"] = opt(tmax);
  return s;
}

void TrendHistory::set_hours(int hours) {
  capacity_ = static_cast<std::size_t>(std::max(hours, 1)) * 360;
  while (samples_.size() > capacity_) samples_.pop_front();
}

void TrendHistory::add(const Sample& s) {
  samples_.push_back(s);
  while (samples_.size() > capacity_) samples_.pop_front();
}

Json TrendHistory::to_json(std::int64_t now_s, int minutes) const {
  Json list = Json::array();
  const std::int64_t from = now_s - static_cast<std::int64_t>(minutes) * 60;
  for (const auto& s : samples_) {
    if (s.t < from) continue;
    list.push_back({{"t", s.t},
                    {"voltage_v", s.voltage_v},
                    {"current_a", s.current_a},
                    {"power_w", s.power_w},
                    {"rsoc_pct", s.rsoc_pct}});
  }
  return Json{{"samples", std::move(list)}};
}

}  // namespace essd::gateway
