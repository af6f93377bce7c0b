// SPDX-License-Identifier: MIT
#pragma once
// What the gateway knows of its essd, and the pure views built from it:
// the MQTT state message, the trend history. No I/O here.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace essd::gateway {

using Json = nlohmann::json;

/// docs/gateway.md's `<base>/state` object (without "time") from essd's status
/// and modules results. Cell and temperature figures are over the connected
/// modules, null while none has reported them.
Json state_fields(const Json& status, const Json& modules);
/// RFC 3339 UTC with seconds, e.g. "2026-12-01T22:30:00Z".
std::string rfc3339_utc(std::chrono::system_clock::time_point t);

// The implicit destructor runs nlohmann::json's, which is noexcept but
// reserves a vector while it frees nested values; bugprone-exception-escape
// sees that allocation, not a throw from here.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct Sample {
  std::int64_t t = 0;  // unix seconds
  Json voltage_v, current_a, power_w, rsoc_pct;
};

/// One sample per 10 s, the last `hours` hours (a ring: memory is bounded).
class TrendHistory {
 public:
  explicit TrendHistory(int hours) { set_hours(hours); }
  void set_hours(int hours);
  void add(const Sample& s);
  /// {"samples":[...]} of the last `minutes` minutes, oldest first.
  Json to_json(std::int64_t now_s, int minutes) const;
  std::size_t size() const { return samples_.size(); }

 private:
  std::size_t capacity_ = 0;
  std::deque<Sample> samples_;
};

/// The latest results from essd, refreshed by watch pushes and polling.
struct EssdView {
  bool up = false;
  Json hello = Json::object();
  Json status;                   // null until the first status
  Json modules = Json::array();  // the "modules" array
  Json display;                  // null until the first display
  Json counters;                 // null until the first counters
  void clear() { *this = EssdView{}; }
};

}  // namespace essd::gateway
