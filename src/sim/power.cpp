// SPDX-License-Identifier: MIT
#include "sim/power.hpp"

#include <algorithm>

namespace essd::sim {

PowerResult solve_power(const std::vector<Branch>& branches, const PowerInputs& in) {
  PowerResult res;
  res.branch_a.assign(branches.size(), 0.0);
  if (in.groups <= 0) return res;

  // Thevenin equivalent of every position: EMF = sum(E/R)/sum(1/R).
  std::vector<double> g_sum(in.groups, 0.0), ge_sum(in.groups, 0.0);
  for (const auto& b : branches) {
    if (!b.conducting || b.group < 0 || b.group >= in.groups) continue;
    g_sum[b.group] += 1.0 / b.r_ohm;
    ge_sum[b.group] += b.ocv_v / b.r_ohm;
  }
  double emf = 0, r = 0;
  bool closed_circuit = true;
  for (int g = 0; g < in.groups; ++g) {
    if (g_sum[g] <= 0) {
      closed_circuit = false;
      continue;
    }
    emf += ge_sum[g] / g_sum[g];
    r += 1.0 / g_sum[g];
  }
  double i = 0;
  if (closed_circuit) {
    const double load = std::max(0.0, in.load_a);
    if (in.charger_on) {
      // CC: the charger's current minus the load; CV: terminal voltage held.
      i = std::min(in.charger_cc_a - load, (in.charger_cv_v - emf) / r);
      // The charger cannot sink current: at worst the battery feeds the load.
      i = std::max(i, -load);
    } else {
      i = -load;
    }
    if (i > 0 && !in.charge_path) i = 0;
    if (i < 0 && !in.discharge_path) i = 0;
  }
  res.battery_a = i;
  res.bus_v = emf + i * r;
  // No circulating currents between parallel modules while the battery as a
  // whole carries none (documented simplification): open paths mean 0 A.
  if (!closed_circuit || i == 0) return res;
  for (int g = 0; g < in.groups; ++g) {
    const double v_group = ge_sum[g] / g_sum[g] + i / g_sum[g];
    for (std::size_t k = 0; k < branches.size(); ++k) {
      const auto& b = branches[k];
      if (b.conducting && b.group == g) res.branch_a[k] = (v_group - b.ocv_v) / b.r_ohm;
    }
  }
  return res;
}

}  // namespace essd::sim
