// SPDX-License-Identifier: MIT
#pragma once
// Events produced by the sans-IO parts (controller core, registry) and by the
// daemon. The daemon stamps wall-clock time, stores them in the history,
// logs them (journald fields ESSD_EVENT=kind, ESSD_MODULE, ESSD_CAUSE) and
// pushes them to watchers.
#include <string>
#include <string_view>

#include "essd/time.hpp"

namespace essd {

enum class Severity { info, warning, error };

constexpr std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "?";
}

/// Event kinds used by the core (stable names: journalctl filters and API
/// clients use them): path_open, path_close, latch_set, latch_clear,
/// module_connected, module_lost, topology_error, topology_clear,
/// mode_change, balance_fail, balance_pass, overcurrent_trip, overcurrent_clear,
/// heatsink_trip, heatsink_clear, auto_shutdown, duplicate_address,
/// latch_restore, state_file_error.
/// Daemon kinds: start, stop, config_reload, config_rejected, bus_link,
/// privileged_command, host_link, log_suppressed.
struct Event {
  Severity severity = Severity::info;
  std::string kind;
  std::string message;  // one human-readable line
  int module = -1;      // module address, -1 if not about one module
  std::string cause;    // e.g. "module_dis_line:2", "overcurrent", "ov_error"
  std::string path;     // "charge" / "discharge" for path events, else ""
  MonoMs at_ms = 0;     // monotonic time when it happened
};

}  // namespace essd
