// SPDX-License-Identifier: MIT
#include "core/aggregation.hpp"

#include <algorithm>

namespace essd::core {

namespace {

struct Group {
  int count = 0;
  double voltage_v = 0;
  double current_a = 0;
  double rsoc_pct = 0;
  bool rsoc_known = true;
};

// One set of modules in parallel.
Group parallel_group(const Registry& reg, std::uint16_t mask) {
  Group g;
  double vsum = 0, remaining = 0, full = 0, rsum = 0;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    if (!(mask & (1u << a))) continue;
    const ModuleRecord& m = reg.module(a);
    if (!m.status) continue;
    ++g.count;
    vsum += m.status->voltage_10mv * 0.01;
    g.current_a += m.status->current_100ma * 0.1;
    if (m.status->rsoc == bus::kRsocUnknown) {
      g.rsoc_known = false;
      continue;
    }
    const double cap = m.info ? m.info->full_dah * 0.1 : 0.0;
    remaining += m.status->rsoc * cap / 100.0;
    full += cap;
    rsum += m.status->rsoc;
  }
  if (g.count == 0) {
    g.rsoc_known = false;
    return g;
  }
  g.voltage_v = vsum / g.count;
  // Capacity weighted; without any capacity figure, the plain mean.
  if (g.rsoc_known) g.rsoc_pct = full > 0 ? 100.0 * remaining / full : rsum / g.count;
  return g;
}

// Groups sharing a parallel connection, as masks: all for parallel, pairs
// for series-parallel, single modules for series.
template <typename F>
void for_each_group(Topology t, std::uint16_t mask, F&& f) {
  switch (t) {
    case Topology::parallel:
      if (mask) f(mask);
      return;
    case Topology::series:
      for (int a = 0; a < bus::kMaxModules; ++a)
        if (mask & (1u << a)) f(static_cast<std::uint16_t>(1u << a));
      return;
    case Topology::series_parallel:
      for (int k = 0; k < bus::kMaxModules / 2; ++k) {
        const auto g = static_cast<std::uint16_t>(mask & (3u << (2 * k)));
        if (g) f(g);
      }
      return;
  }
}

}  // namespace

Aggregate aggregate(const Registry& reg, Topology topology, std::uint16_t mask) {
  Aggregate out;
  if (topology == Topology::parallel) {
    const Group g = parallel_group(reg, mask);
    out.count = g.count;
    if (g.count == 0) return out;
    out.voltage_v = g.voltage_v;
    out.current_a = g.current_a;
    out.rsoc_pct = g.rsoc_pct;
    out.rsoc_known = g.rsoc_known;
    return out;
  }
  // Groups in series: voltages add, the string current is the mean of the
  // group currents, the weakest group ends the string.
  int groups = 0;
  double isum = 0, rmin = 100.0;
  bool known = true;
  for_each_group(topology, mask, [&](std::uint16_t gm) {
    const Group g = parallel_group(reg, gm);
    if (g.count == 0) return;
    ++groups;
    out.count += g.count;
    out.voltage_v += g.voltage_v;
    isum += g.current_a;
    known = known && g.rsoc_known;
    if (g.rsoc_known) rmin = std::min(rmin, g.rsoc_pct);
  });
  if (groups == 0) return out;
  out.current_a = isum / groups;
  out.rsoc_known = known;
  out.rsoc_pct = known ? rmin : 0.0;
  return out;
}

BalanceResult check_balance(const Registry& reg, Topology topology, std::uint16_t mask) {
  BalanceResult r;
  if (topology == Topology::series) return r;
  for_each_group(topology, mask, [&](std::uint16_t gm) {
    if (popcount16(gm) < 2) return;
    int rmin = 1000, rmax = -1, vmin = 1 << 20, vmax = -1;
    for (int a = 0; a < bus::kMaxModules; ++a) {
      if (!(gm & (1u << a))) continue;
      const ModuleRecord& m = reg.module(a);
      if (!m.status) {
        r.pass = false;
        continue;
      }
      // An unknown RSOC cannot prove balance: fail safe.
      if (m.status->rsoc == bus::kRsocUnknown) {
        r.rsoc_unknown = true;
        r.pass = false;
      } else {
        rmin = std::min<int>(rmin, m.status->rsoc);
        rmax = std::max<int>(rmax, m.status->rsoc);
      }
      vmin = std::min<int>(vmin, m.status->voltage_10mv);
      vmax = std::max<int>(vmax, m.status->voltage_10mv);
    }
    if (rmax >= 0) {
      r.rsoc_spread_pct = std::max<double>(r.rsoc_spread_pct, rmax - rmin);
      if (rmax - rmin > kBalanceRsocPct) r.pass = false;
    }
    if (vmax >= 0) {
      r.voltage_spread_v = std::max(r.voltage_spread_v, (vmax - vmin) * 0.01);
      if (vmax - vmin > kBalanceVoltage10mV) r.pass = false;
    }
  });
  return r;
}

TopologyResult check_topology(const TopologyInput& in) {
  const int count = popcount16(in.present);
  if (count == 0) return {};  // NO MODULE, not a topology error
  const ModelSpec spec = model_spec(in.model, in.topology);
  const int highest = 31 - __builtin_clz(static_cast<unsigned>(in.present));
  for (int a = 0; a < highest; ++a)
    if (!(in.present & (1u << a))) return {TopologyError::gap, a};
  if (in.duplicate) return {TopologyError::duplicate, __builtin_ctz(in.duplicate)};
  if (count > spec.max_modules) return {TopologyError::too_many, -1};
  if (count < spec.min_modules) return {TopologyError::too_few, -1};
  if (in.expected > 0 && count != in.expected) return {TopologyError::count, -1};
  if (in.topology == Topology::series_parallel && count % 2 != 0) return {TopologyError::pair, -1};
  // Voltage only from a complete picture: with a module lost the sum is
  // meaningless (and COMM ERROR already holds both paths open).
  if (!in.any_lost &&
      (in.system_voltage_v < spec.min_voltage_v || in.system_voltage_v > spec.max_voltage_v))
    return {TopologyError::voltage, -1};
  return {};
}

HostLimits compute_limits(const LimitsConfig& cfg, const LimitsInput& in) {
  const ModelSpec spec = model_spec(in.model, in.topology);
  HostLimits l;
  const int series = std::max(1, modules_in_series(in.topology, in.connected));
  const int parallel = modules_in_parallel(in.topology, in.connected);
  l.cvl_v = cfg.charge_voltage_per_module * series;
  l.dvl_v = cfg.discharge_voltage_per_module * series;
  // Per-module constants from the module ratings (docs/core.md "Module ratings (IJ1001M)").
  constexpr double kChargeTminC = 0, kChargeTmaxC = 45;
  constexpr double kDisTminC = -20, kDisTmaxC = 60, kDisDerateC = 40, kDisDeratedA = 24;
  double ccl = std::min(cfg.charge_current_per_module * parallel, spec.max_current_a);
  if (!in.charge_permitted || in.charge_stop_reported || !in.temps_known ||
      in.temp_min_c < kChargeTminC || in.temp_max_c > kChargeTmaxC)
    ccl = 0;
  double dcl = std::min(cfg.discharge_current_per_module * parallel, spec.max_current_a);
  if (in.temps_known && in.temp_max_c > kDisDerateC) dcl = std::min(dcl, kDisDeratedA * parallel);
  if (!in.discharge_permitted || !in.temps_known || in.temp_min_c < kDisTminC ||
      in.temp_max_c > kDisTmaxC)
    dcl = 0;
  l.ccl_a = ccl;
  l.dcl_a = dcl;
  return l;
}

}  // namespace essd::core
