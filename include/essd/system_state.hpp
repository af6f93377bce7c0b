// SPDX-License-Identifier: MIT
#pragma once
// The controller's complete, self-contained view of the system at one
// instant: what the API's status/modules commands, the front panel model and
// the host links are computed from. Produced by core::Controller::snapshot();
// plain data, cheap to copy, no references into the core.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "essd/model.hpp"
#include "essd/module_bus.hpp"
#include "essd/time.hpp"

namespace essd {

enum class Link : std::uint8_t { absent, connected, lost };
enum class SystemMode : std::uint8_t { normal, off, maintenance, shutdown };

constexpr std::string_view to_string(Link l) {
  switch (l) {
    case Link::absent:
      return "absent";
    case Link::connected:
      return "connected";
    case Link::lost:
      return "lost";
  }
  return "?";
}
constexpr std::string_view to_string(SystemMode m) {
  switch (m) {
    case SystemMode::normal:
      return "normal";
    case SystemMode::off:
      return "off";
    case SystemMode::maintenance:
      return "maintenance";
    case SystemMode::shutdown:
      return "shutdown";
  }
  return "?";
}

struct ModuleSnapshot {
  std::uint8_t address = 0;
  Link link = Link::absent;
  bool seen = false;                  // any valid frame ever arrived from this address
  bool stale = true;                  // values are not current (lost, or never connected)
  std::int64_t age_ms = -1;           // since the last valid frame, -1 if none
  std::optional<bus::Status> status;  // last valid values
  std::optional<bus::Alarms> alarms;
  std::optional<bus::Info> info;
  std::array<std::uint16_t, bus::kCellBlocks> cells_mv{};         // 0 = not yet known
  std::vector<std::int8_t> cell_temps_c;                          // sensors reported so far
  std::array<std::uint64_t, bus::kInvalidReasonCount> invalid{};  // per DecodeError reason
  std::uint64_t missed_frames = 0;                                // alive-counter jumps
};

struct PathSnapshot {
  bool closed = false;
  /// Causes blocking the path, stable strings: "starting", "no_module",
  /// "topology", "comm_error", "module_chg_line:N", "module_ov_line:N",
  /// "module_dis_line:N", "hw_chg_line", "hw_ov_line", "hw_dis_line",
  /// "off_mode", "maintenance", "overcurrent", "heatsink", "ov_error",
  /// "discharge_error", "balance", "host_disconnect", "shutdown".
  std::vector<std::string> blocked_by;
};

/// One standing error (API status.errors, panel error screens). Codes as in
/// docs/api.md "Result shapes": comm_error, ov_error, discharge_error, no_module, topology_gap,
/// topology_duplicate, topology_too_many, topology_too_few, topology_count,
/// topology_pair, topology_voltage, maintenance, heatsink,
/// overcurrent_charge, overcurrent_discharge, balance.
struct ErrorSnapshot {
  std::string code;
  std::string text;  // display text, e.g. "COMM ERROR", "ADDRESS GAP 02"
  MonoMs since_ms = 0;
};

struct HostLimits {
  double cvl_v = 0;  // charge voltage limit, never 0 once a module is known
  double ccl_a = 0;  // charge current limit
  double dcl_a = 0;  // discharge current limit (positive)
  double dvl_v = 0;  // discharge voltage limit
};

enum class TopologyError : std::uint8_t {
  none,
  gap,
  duplicate,
  too_many,
  too_few,
  count,
  pair,
  voltage
};

struct SystemSnapshot {
  MonoMs now_ms = 0;
  std::uint64_t revision = 0;  // +1 whenever anything the API shows changed

  Model model = Model::ij1001c;
  Topology topology = Topology::parallel;
  SystemMode mode = SystemMode::normal;
  int configured_modules = 0;  // 0 = any

  // Aggregates over connected modules (docs/core.md "Aggregation"); 0 when none.
  double voltage_v = 0;
  double current_a = 0;
  double rsoc_pct = 0;
  bool rsoc_known = false;

  PathSnapshot charge;
  PathSnapshot discharge;
  std::vector<ErrorSnapshot> errors;  // most severe first
  HostLimits limits;
  std::optional<double> heatsink_c;

  int modules_connected = 0;
  int modules_lost = 0;
  std::string con_map = std::string(16, '-');  // address 15 left, 00 right: O X -
  std::array<ModuleSnapshot, bus::kMaxModules> modules{};

  // Conditions, for the panel and the host links.
  bool starting = true;  // fail-safe start: conditions not yet met from fresh data
  bool comm_error = false;
  bool no_module = true;
  bool ov_error = false;         // latched OV ERROR
  bool discharge_error = false;  // latched DISCHARGE ERROR
  TopologyError topology_error = TopologyError::none;
  int topology_address = -1;  // gap: lowest missing address; duplicate: the address
  bool off_mode = false;
  bool maintenance = false;
  bool host_disconnect = false;  // SunSpec SetOp DISCONNECT
  bool overcurrent_charge = false;
  bool overcurrent_discharge = false;
  bool heatsink_trip = false;
  bool balance_fail = false;
  bool power_hold = true;  // false once auto shut-down released it
  std::uint8_t ctrl_mode = bus::kCtrlNormal;
};

}  // namespace essd
