// SPDX-License-Identifier: MIT
#pragma once
// Private state of core::Controller (see controller.hpp). Split from
// controller.cpp so that the snapshot builder, the conditions and the
// evaluation live in separate, short files.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/aggregation.hpp"
#include "core/controller.hpp"
#include "core/interlocks.hpp"
#include "core/phase.hpp"
#include "core/picture.hpp"
#include "core/registry.hpp"

namespace essd::core {

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
  kErrHostDisconnect,
  kErrStateFile,
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
  Picture pic;
  Causes charge, discharge;
  std::uint32_t errors = 0;  // bit per ErrorIndex
  TopologyResult topology;
  SystemMode mode = SystemMode::normal;
  Aggregate agg;
  HostLimits limits;
  bool operator==(const Derived& o) const {
    return pic == o.pic && charge == o.charge && discharge == o.discharge && errors == o.errors &&
           topology == o.topology && mode == o.mode && agg == o.agg &&
           limits.cvl_v == o.limits.cvl_v && limits.ccl_a == o.limits.ccl_a &&
           limits.dcl_a == o.limits.dcl_a && limits.dvl_v == o.limits.dvl_v;
  }
};

struct Controller::Impl {
  Impl(const CoreConfig& c, MonoMs now, Latches restored);

  void apply_config(const CoreConfig& c);
  void on_frame(const CanFrame& frame, MonoMs now);
  void evaluate(MonoMs now, bool tick);
  SystemSnapshot snapshot(MonoMs now) const;
  void fill_errors(SystemSnapshot& s) const;
  std::optional<MonoMs> next_deadline() const;

  // evaluation steps (conditions.cpp)
  void handle_transitions(MonoMs now);
  void note_reported(int address, MonoMs now);  // latch set from one module's frame
  void update_latches(MonoMs now, const Derived& d);
  void update_balance(MonoMs now, const Derived& d);
  void update_overcurrent(MonoMs now, bool tick, const Aggregate& agg);
  void update_heatsink(MonoMs now);
  void update_shutdown(MonoMs now, const Aggregate& agg);
  RowCauses judge(const Derived& d) const;
  TopologyResult topology_of(const Derived& d) const;
  HostLimits limits_of(const Derived& d) const;
  std::uint32_t errors_of(const Derived& d) const;
  void emit(Severity sev, std::string kind, std::string message, MonoMs now, int module = -1,
            std::string cause = {}, std::string path = {});
  void diff_and_emit(const Derived& before, MonoMs now);

  CoreConfig cfg;
  ModelSpec spec;
  Registry reg;
  Controller::Counters counters;
  PhaseMachine phase;

  PanelInputs panel;
  std::optional<double> heatsink_c;
  bool heatsink_temp_trip = false;  // tripped by temperature (hysteresis)
  bool heatsink_trip = false;       // blocking: temperature trip or unreadable sensor
  bool host_disconnect = false;
  bool state_file_error = false;  // the daemon could not save the latches
  Overcurrent oc_charge, oc_discharge;
  MonoMs discharge_error_since = -1;  // window for auto shut-down
  MonoMs last_now = 0;                // time of the last evaluation

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
