// SPDX-License-Identifier: MIT
#include "capture_expect.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

namespace essd::itest {

namespace {

// Controller events that describe what the system did; start/stop, links,
// audits and recording events are left out.
const std::set<std::string>& tracked() {
  static const std::set<std::string> k = {
      "path_open",      "path_close",       "latch_set",         "latch_clear",
      "topology_error", "topology_clear",   "heatsink_trip",     "heatsink_clear",
      "module_lost",    "module_connected", "duplicate_address", "auto_shutdown",
      "mode_change",    "overcurrent_trip", "overcurrent_clear"};
  return k;
}

/// "2026-12-01T22:40:00.123Z" -> seconds since the epoch.
std::optional<double> parse_time(const std::string& t) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(t.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  if (auto dot = t.find('.'); dot != std::string::npos)
    std::sscanf(t.c_str() + dot + 1, "%3d", &ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
}

std::string event_key(const nlohmann::json& e) {
  std::string key = e.value("kind", "");
  const auto& d =
      e.contains("data") && e["data"].is_object() ? e["data"] : nlohmann::json::object();
  if (d.contains("path") && d["path"].is_string()) key += " " + d["path"].get<std::string>();
  if (d.contains("cause") && d["cause"].is_string() && !d["cause"].get<std::string>().empty()) {
    key += " " + d["cause"].get<std::string>();
  }
  if (d.contains("module") && d["module"].is_number_integer()) {
    key += " module " + std::to_string(d["module"].get<int>());
  }
  return key;
}

}  // namespace

std::optional<CaptureExpect> parse_expect(const std::string& text, std::string& error) {
  CaptureExpect out;
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty()) continue;
    if (line[0] == '#') {
      out.header.push_back(line);
      continue;
    }
    if (line.rfind("config ", 0) == 0) {
      out.config.push_back(line.substr(7));
      continue;
    }
    if (line == "heatsink yes") {
      out.heatsink = true;
      continue;
    }
    std::istringstream l(line);
    ExpectedEvent e;
    if (!(l >> e.earliest_s >> e.latest_s) || e.latest_s < e.earliest_s) {
      error = std::to_string(n) + ": expected \"EARLIEST_S LATEST_S KEY\"";
      return std::nullopt;
    }
    std::getline(l >> std::ws, e.key);
    if (e.key.empty()) {
      error = std::to_string(n) + ": missing event key";
      return std::nullopt;
    }
    out.events.push_back(e);
  }
  return out;
}

std::string format_expect(const CaptureExpect& e) {
  std::ostringstream o;
  for (const auto& h : e.header) o << h << "\n";
  for (const auto& c : e.config) o << "config " << c << "\n";
  if (e.heatsink) o << "heatsink yes\n";
  for (const auto& ev : e.events) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%6.1f %6.1f  ", ev.earliest_s, ev.latest_s);
    o << buf << ev.key << "\n";
  }
  return o.str();
}

std::vector<ObservedEvent> observed_events(const std::vector<nlohmann::json>& events,
                                           double until_s) {
  std::optional<double> t0;
  std::vector<ObservedEvent> out;
  for (const auto& e : events) {
    const auto t = parse_time(e.value("time", ""));
    if (!t) continue;
    const std::string kind = e.value("kind", "");
    if (!t0) {
      if (kind == "bus_link" && e.contains("data") && e["data"].value("cause", "") == "up") t0 = *t;
      continue;
    }
    if (!tracked().count(kind)) continue;
    if (*t - *t0 > until_s) break;
    out.push_back({*t - *t0, event_key(e)});
  }
  return out;
}

std::string config_toml(const std::vector<std::string>& config) {
  std::map<std::string, std::vector<std::string>> sections;
  for (const auto& c : config) {
    const auto dot = c.find('.');
    if (dot == std::string::npos) continue;
    sections[c.substr(0, dot)].push_back(c.substr(dot + 1));
  }
  std::string out;
  for (const auto& [s, keys] : sections) {
    out += "[" + s + "]\n";
    for (const auto& k : keys) out += k + "\n";
  }
  return out;
}

namespace {
/// Events less than 0.25 s apart (one or two controller ticks) may come in
/// either order: whether two modules time out in the same tick depends on
/// where their last frames fell. Within such a cluster, order by key.
template <typename T, typename TimeOf>
std::vector<T> canonical(std::vector<T> v, TimeOf time_of) {
  std::size_t start = 0;
  for (std::size_t i = 1; i <= v.size(); ++i) {
    if (i == v.size() || time_of(v[i]) - time_of(v[i - 1]) >= 0.25) {
      std::stable_sort(v.begin() + static_cast<std::ptrdiff_t>(start),
                       v.begin() + static_cast<std::ptrdiff_t>(i),
                       [](const T& a, const T& b) { return a.key < b.key; });
      start = i;
    }
  }
  return v;
}
}  // namespace

std::string compare(const std::vector<ExpectedEvent>& want_in,
                    const std::vector<ObservedEvent>& seen_in) {
  const auto want =
      canonical(want_in, [](const ExpectedEvent& e) { return (e.earliest_s + e.latest_s) / 2; });
  const auto seen = canonical(seen_in, [](const ObservedEvent& e) { return e.at_s; });
  const auto n = std::min(want.size(), seen.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& w = want[i];
    const auto& s = seen[i];
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f s", s.at_s);
    if (w.key != s.key) {
      return "event " + std::to_string(i + 1) + ": expected \"" + w.key + "\", got \"" + s.key +
             "\" at " + buf;
    }
    if (s.at_s < w.earliest_s || s.at_s > w.latest_s) {
      return "event " + std::to_string(i + 1) + " \"" + w.key + "\" at " + buf + ", outside " +
             std::to_string(w.earliest_s) + ".." + std::to_string(w.latest_s);
    }
  }
  if (want.size() > seen.size()) {
    return "missing event " + std::to_string(n + 1) + ": \"" + want[n].key + "\"";
  }
  if (seen.size() > want.size()) {
    return "unexpected event " + std::to_string(n + 1) + ": \"" + seen[n].key + "\"";
  }
  return {};
}

std::vector<ExpectedEvent> windows_around(const std::vector<ObservedEvent>& seen, double slack_s) {
  std::vector<ExpectedEvent> out;
  for (const auto& s : seen) {
    out.push_back({std::max(0.0, s.at_s - slack_s), s.at_s + slack_s, s.key});
  }
  return out;
}

}  // namespace essd::itest
