#pragma once
// Private state of core::Controller (see controller.hpp). Split from
// controller.cpp so that the snapshot builder and the evaluation live in
// separate, short files.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/aggregation.hpp"
#include "core/controller.hpp"
#include "core/registry.hpp"

namespace essd::core {

/// Path-blocking causes; the bit order is the order of `blocked_by`.
enum CauseBit : std::uint32_t {
  kCauseStarting = 1u << 0,
  kCauseNoModule = 1u << 1,
  kCauseTopology = 1u << 2,
  kCauseCommError = 1u << 3,
  // module_chg_line:N, module_ov_line:N, module_dis_line:N come here
  kCauseHwChg = 1u << 4,
  kCauseHwOv = 1u << 5,
  kCauseHwDis = 1u << 6,
  kCauseOffMode = 1u << 7,
  kCauseMaintenance = 1u << 8,
  kCauseOvercurrent = 1u << 9,
  kCauseHeatsink = 1u << 10,
  kCauseOvError = 1u << 11,
  kCauseDischargeError = 1u << 12,
  kCauseBalance = 1u << 13,
  kCauseHostDisconnect = 1u << 14,
  kCauseShutdown = 1u << 15,
};

struct Causes {
  std::uint32_t bits = 0;
  std::uint16_t chg_line = 0;  // connected modules with CHG = 0
  std::uint16_t ov_line = 0;   // ... OV = 0
  std::uint16_t dis_line = 0;  // ... DIS = 0
  bool any() const { return bits != 0 || chg_line != 0 || ov_line != 0 || dis_line != 0; }
  bool operator==(const Causes&) const = default;
};

/// Stable cause strings in blocked_by order.
std::vector<std::string> cause_strings(const Causes& c);

/// Standing errors; the enum order is the severity order of `errors`.
enum ErrorIndex : int {
  kErrComm,
  kErrOv,
  kErrDischarge,
  kErrNoModule,
  kErrTopoGap,
  kErrTopoDuplicate,
  kErrTopoTooMany,
  kErrTopoTooFew,
  kErrTopoCount,
  kErrTopoPair,
  kErrTopoVoltage,
  kErrMaintenance,
  kErrHeatsink,
  kErrOvercurrentChg,
  kErrOvercurrentDis,
  kErrBalance,
  kErrCount
};
const char* error_code(int index);

struct Overcurrent {
  bool tripped = false;
  int rounds = 0;            // consecutive ticks above the rating
  MonoMs last_over_ms = -1;  // last time the current was above the rating
};

/// Everything derived by one evaluation; compared with the previous one to
/// produce events, CTRL requests and the snapshot revision.
struct Derived {
  Causes charge, discharge;
  std::uint32_t errors = 0;  // bit per ErrorIndex
  TopologyResult topology;
  SystemMode mode = SystemMode::normal;
  Aggregate agg;
  HostLimits limits;
  std::uint16_t connected = 0, lost = 0;
  bool operator==(const Derived& o) const {
    return charge == o.charge && discharge == o.discharge && errors == o.errors &&
           topology == o.topology && mode == o.mode && agg == o.agg &&
           limits.cvl_v == o.limits.cvl_v && limits.ccl_a == o.limits.ccl_a &&
           limits.dcl_a == o.limits.dcl_a && limits.dvl_v == o.limits.dvl_v &&
           connected == o.connected && lost == o.lost;
  }
};

struct Controller::Impl {
  Impl(const CoreConfig& c, MonoMs now, Latches restored);

  void apply_config(const CoreConfig& c);
  void on_frame(const CanFrame& frame, MonoMs now);
  void evaluate(MonoMs now, bool tick);
  SystemSnapshot snapshot(MonoMs now) const;

  // evaluation steps
  void handle_transitions(MonoMs now);
  void update_latches(MonoMs now, std::uint16_t connected, std::uint16_t lost);
  void note_reported(int address, MonoMs now);  // latch set from one module's frame
  void update_balance(MonoMs now, bool all_in, std::uint16_t connected);
  void update_overcurrent(MonoMs now, bool tick, double current_a, bool have_current);
  void update_heatsink(MonoMs now);
  void update_shutdown(MonoMs now, double current_a, bool have_current);
  Causes module_lines(std::uint16_t connected) const;
  void emit(Severity sev, std::string kind, std::string message, MonoMs now, int module = -1,
            std::string cause = {}, std::string path = {});
  void diff_and_emit(const Derived& before, MonoMs now);

  CoreConfig cfg;
  ModelSpec spec;
  Registry reg;
  Controller::Counters counters;

  PanelInputs panel;
  std::optional<double> heatsink_c;
  bool heatsink_temp_trip = false;  // tripped by temperature (hysteresis)
  bool heatsink_trip = false;       // blocking: temperature trip or unreadable sensor
  bool maintenance = false;
  bool host_disconnect = false;
  bool shutdown = false;
  bool starting = true;
  bool balance_pending = true;  // checked at first full connect and every (re)connect
  bool balance_fail = false;
  Overcurrent oc_charge, oc_discharge;
  MonoMs discharge_error_since = -1;  // window for auto shut-down

  Latches latches;
  bool latches_dirty = false;
  bool ctrl_request = false;
  std::uint8_t ctrl_alive = 0;
  std::uint64_t revision = 1;

  Derived cur;
  bool first_evaluation = true;
  std::array<MonoMs, kErrCount> error_since{};
  std::vector<Event> events;
};

}  // namespace essd::core
