// SPDX-License-Identifier: MIT
#pragma once
// The one place where the daemon's plain types become docs/api.md's JSON shapes.
// Field names here are the public contract (clients and independent tests
// rely on them): change them only together with docs/api.md's revision table.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "essd/event.hpp"
#include "essd/panel_view.hpp"
#include "essd/system_state.hpp"
#include "essd/time.hpp"

namespace essd::api {

/// Replies keep the field order of docs/api.md's examples (insertion order);
/// clients must not depend on it, but humans reading a trace do.
using Json = nlohmann::ordered_json;

/// Pairs the monotonic clock with the wall clock at one instant, so that a
/// MonoMs timestamp (e.g. ErrorSnapshot::since_ms) can be shown in RFC 3339.
struct TimeRef {
  MonoMs mono_ms = 0;
  std::int64_t wall_ms = 0;  // milliseconds since the Unix epoch, UTC
  std::int64_t to_wall(MonoMs t) const { return wall_ms - (mono_ms - t); }
};

/// RFC 3339 UTC with second resolution: "2026-11-25T18:00:00Z".
std::string rfc3339(std::int64_t wall_ms);

/// An event as stored in the history (seq assigned by the store).
struct EventRecord {
  std::uint64_t seq = 0;
  std::string time;  // RFC 3339 UTC, as stored (history keeps milliseconds)
  Severity severity = Severity::info;
  std::string kind;
  std::string message;
  nlohmann::json data = nlohmann::json::object();
};

/// `status` result / status push.
Json status_json(const SystemSnapshot& s, const TimeRef& t, std::int64_t uptime_s);
/// One `modules` entry (also the `module` result).
Json module_json(const ModuleSnapshot& m);
/// `modules` result: every address that has been seen, ordered by address.
Json modules_json(const SystemSnapshot& s);
/// `display` result.
Json display_json(const PanelView& v);
/// One `events` entry / event push.
Json event_json(const EventRecord& e);
/// The `data` object kept with an event (module, cause, path when set).
nlohmann::json event_data(const Event& e);

}  // namespace essd::api
