// SPDX-License-Identifier: MIT
#pragma once
// Pure system-level figures computed from the registry (docs/core.md
// "Aggregation", "Interlocks" balance pre-check and topology errors,
// "Limits for the host"). No state: the controller calls these on every
// evaluation with the current connected/lost masks.
#include <cstdint>

#include "core/registry.hpp"
#include "essd/config.hpp"
#include "essd/model.hpp"
#include "essd/system_state.hpp"

namespace essd::core {

struct Aggregate {
  int count = 0;  // modules aggregated (connected)
  double voltage_v = 0;
  double current_a = 0;
  double rsoc_pct = 0;
  bool rsoc_known = false;
  bool operator==(const Aggregate&) const = default;
};

/// V/I/RSOC over the modules in `mask` (lost modules are left out by the
/// caller). Parallel: mean V, summed I, capacity-weighted RSOC; series: summed
/// V, mean I, lowest RSOC; series-parallel: pairs 2k/2k+1 as parallel, the
/// pairs as series. RSOC is unknown when any aggregated module's is.
Aggregate aggregate(const Registry& reg, Topology topology, std::uint16_t mask);

struct BalanceResult {
  bool pass = true;
  double rsoc_spread_pct = 0;  // worst group
  double voltage_spread_v = 0;
  bool rsoc_unknown = false;  // a module in a group of 2+ has no RSOC yet
};
inline constexpr double kBalanceRsocPct = 3.0;
inline constexpr int kBalanceVoltage10mV = 50;  // 0.5 V

/// Balance pre-check among modules sharing a parallel connection (all in
/// parallel, each pair in 7s2p, nothing in series).
BalanceResult check_balance(const Registry& reg, Topology topology, std::uint16_t mask);

struct TopologyResult {
  TopologyError error = TopologyError::none;
  int address = -1;  // gap: lowest missing; duplicate: the address
  bool operator==(const TopologyResult&) const = default;
};

struct TopologyInput {
  Model model = Model::ij1001c;
  Topology topology = Topology::parallel;
  int expected = 0;
  std::uint16_t present = 0;    // connected | lost
  std::uint16_t duplicate = 0;  // addresses with two serial bytes
  bool any_lost = false;
  double system_voltage_v = 0;  // aggregate over connected modules
};

/// The most important standing topology error, in the order of the enum
/// (gap, duplicate, too many, too few, count, pair, voltage).
TopologyResult check_topology(const TopologyInput& in);

struct LimitsInput {
  Model model = Model::ij1001c;
  Topology topology = Topology::parallel;
  int connected = 0;
  bool charge_permitted = false;
  bool discharge_permitted = false;
  bool charge_stop_reported = false;  // Charge Terminate or Charge Suspend
  bool temps_known = false;
  int temp_min_c = 0;  // system's lowest cell temperature
  int temp_max_c = 0;  // system's highest
};

HostLimits compute_limits(const LimitsConfig& cfg, const LimitsInput& in);

inline int popcount16(std::uint16_t m) {
  return __builtin_popcount(m);
}

}  // namespace essd::core
