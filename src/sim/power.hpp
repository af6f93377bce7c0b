// SPDX-License-Identifier: MIT
#pragma once
// The DC side: modules grouped into series positions (each position is the
// modules in parallel there), a CC-CV charger and a load on EB+/EB-, and the
// controller's charge and discharge paths between them and the battery.
#include <vector>

namespace essd::sim {

struct Branch {
  double ocv_v = 0;
  double r_ohm = 0.05;
  bool conducting = false;
  int group = 0;  // series position
};

struct PowerInputs {
  int groups = 1;
  bool charge_path = false;     // controller's charge path closed
  bool discharge_path = false;  // controller's discharge path closed
  bool charger_on = false;
  double charger_cv_v = 57.6;
  double charger_cc_a = 24;
  double load_a = 0;  // demanded by the load, >= 0
};

struct PowerResult {
  double battery_a = 0;  // + = charging the battery
  double bus_v = 0;      // battery terminal voltage (EMF when no current)
  std::vector<double> branch_a;
};

/// Charger and load share EB+/EB-: the charger feeds the load first and the
/// battery takes the surplus (CC limit, then CV taper) through the charge
/// path; a deficit comes out of the battery through the discharge path. An
/// open path in the needed direction means no battery current. Within a
/// position the current splits by branch EMF and resistance (Thevenin).
PowerResult solve_power(const std::vector<Branch>& branches, const PowerInputs& in);

}  // namespace essd::sim
