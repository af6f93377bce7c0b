// SPDX-License-Identifier: MIT
// The interlock table's rows as pure functions (core/interlocks.hpp) and the
// phase machine (core/phase.hpp), table-tested without a controller.
#include <gtest/gtest.h>

#include "core/interlocks.hpp"

namespace essd::core::test {
namespace {

constexpr std::uint16_t b(int a) {
  return static_cast<std::uint16_t>(1u << a);
}

struct LinksCase {
  const char* name;
  Picture pic;
  TopologyError topology;
  std::vector<std::string> causes;  // expected on both paths
  bool whole;
};

TEST(Rows, LinksRowJudgesTheWholePicture) {
  const LinksCase cases[] = {
      {"nothing", {}, TopologyError::none, {"no_module"}, false},
      {"two connected", {b(0) | b(1), b(0) | b(1), 0, 0, 0}, TopologyError::none, {}, true},
      {"talking, no INFO yet",
       {b(0) | b(1), b(0), 0, 0, 0},
       TopologyError::none,
       {"module_connecting:1"},
       false},
      {"settling",
       {b(0) | b(1), b(0) | b(1), 0, b(1), 0},
       TopologyError::none,
       {"module_connecting:1"},
       false},
      {"lost", {b(0), b(0), b(1), 0, 0}, TopologyError::none, {"comm_error"}, false},
      {"lost and talking (frozen)",
       {b(0) | b(1), b(0), b(1), 0, 0},
       TopologyError::none,
       {"comm_error"},
       false},
      {"count short", {b(0), b(0), 0, 0, 2}, TopologyError::count, {"topology"}, false},
      {"count short, topology not yet judged",
       {b(0), b(0), 0, 0, 2},
       TopologyError::none,
       {"topology"},
       false},
      {"count met", {b(0) | b(1), b(0) | b(1), 0, 0, 2}, TopologyError::none, {}, true},
      {"gap", {b(0) | b(2), b(0) | b(2), 0, 0, 0}, TopologyError::gap, {"topology"}, true},
      {"only lost", {0, 0, b(0), 0, 0}, TopologyError::none, {"comm_error"}, false},
  };
  for (const auto& c : cases) {
    TopologyResult t;
    t.error = c.topology;
    const RowCauses r = links_row(c.pic, t);
    EXPECT_EQ(cause_strings(r.charge), c.causes) << c.name;
    EXPECT_EQ(cause_strings(r.discharge), c.causes) << c.name;
    EXPECT_EQ(c.pic.whole(), c.whole) << c.name;
  }
}

TEST(Rows, EachRowBlocksItsColumn) {
  struct Case {
    const char* name;
    RowCauses r;
    std::vector<std::string> charge, discharge;
  };
  PanelInputs hw_chg{false, false, true, true}, hw_ov{false, true, true, false},
      hw_dis{false, true, false, true}, off{true, {}, {}, {}};
  PhaseMachine starting, shutdown, maint;
  shutdown.shut_down();
  maint.enter_maintenance();
  const Case cases[] = {
      {"hw chg", hw_lines_row(hw_chg), {"hw_chg_line"}, {}},
      {"hw ov", hw_lines_row(hw_ov), {"hw_ov_line"}, {}},
      {"hw dis", hw_lines_row(hw_dis), {}, {"hw_dis_line"}},
      {"hw not configured", hw_lines_row(PanelInputs{}), {}, {}},
      {"off mode", off_mode_row(off), {"off_mode"}, {"off_mode"}},
      {"maintenance", maintenance_row(Phase::maintenance), {"maintenance"}, {"maintenance"}},
      {"running", maintenance_row(Phase::running), {}, {}},
      {"overcurrent charge", overcurrent_row(true, false), {"overcurrent"}, {}},
      {"overcurrent discharge", overcurrent_row(false, true), {}, {"overcurrent"}},
      {"heatsink", heatsink_row(true), {"heatsink"}, {"heatsink"}},
      {"ov latch", latches_row({true, false}), {"ov_error"}, {}},
      {"discharge latch", latches_row({false, true}), {}, {"discharge_error"}},
      {"starting", phase_row(starting), {"starting"}, {"starting"}},
      {"shutdown", phase_row(shutdown), {"shutdown"}, {"shutdown"}},
      {"host", host_row(true), {"host_disconnect"}, {"host_disconnect"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(cause_strings(c.r.charge), c.charge) << c.name;
    EXPECT_EQ(cause_strings(c.r.discharge), c.discharge) << c.name;
  }
  (void)maint;
}

TEST(Rows, ModuleLinesOfEveryModuleInTheMask) {
  Registry reg;
  bus::Status s;
  s.address = 3;
  s.chg = false;
  s.ov = true;
  s.dis = false;
  bus::DecodeResult r;
  r.address = 3;
  r.message = s;
  reg.apply(r, 0);
  const RowCauses rc = module_lines_row(reg, b(3) | b(4));  // 4: no STATUS at all
  EXPECT_EQ(
      cause_strings(rc.charge),
      (std::vector<std::string>{"module_chg_line:3", "module_chg_line:4", "module_ov_line:4"}));
  EXPECT_EQ(cause_strings(rc.discharge),
            (std::vector<std::string>{"module_dis_line:3", "module_dis_line:4"}));
}

TEST(Phase, StartingWaitsForThePreCheck) {
  PhaseMachine p;
  EXPECT_TRUE(p.in(Phase::starting));
  EXPECT_TRUE(p.balance_due());
  EXPECT_TRUE(p.balance_result(false));   // first failure is news
  EXPECT_FALSE(p.balance_result(false));  // still failing: not
  EXPECT_TRUE(p.balance_failed());
  EXPECT_EQ(cause_strings(phase_row(p).charge), (std::vector<std::string>{"starting", "balance"}));
  EXPECT_TRUE(p.balance_result(true));
  EXPECT_TRUE(p.in(Phase::running));
  EXPECT_TRUE(cause_strings(phase_row(p).charge).empty());
}

TEST(Phase, ReconnectRechecksAndMaintenanceResumes) {
  PhaseMachine p;
  p.balance_result(true);
  p.recheck();
  EXPECT_TRUE(p.in(Phase::checking_balance));
  EXPECT_EQ(cause_strings(phase_row(p).charge), (std::vector<std::string>{"balance"}));
  p.balance_result(true);
  p.enter_maintenance();
  EXPECT_TRUE(p.in(Phase::maintenance));
  EXPECT_FALSE(p.balance_due());
  p.leave_maintenance();
  EXPECT_TRUE(p.in(Phase::checking_balance));
  PhaseMachine never_ran;
  never_ran.enter_maintenance();
  never_ran.leave_maintenance();
  EXPECT_TRUE(never_ran.in(Phase::starting));
}

TEST(Phase, ShutdownStandsUntilModulesTalkAgainAfterQuiet) {
  PhaseMachine p;
  p.balance_result(true);
  p.shut_down();
  p.enter_maintenance();  // no way out of shutdown but a fresh start
  EXPECT_TRUE(p.in(Phase::shutdown));
  p.observe_talking(true);
  EXPECT_FALSE(p.fresh_start_due());  // still the modules that were shut down
  EXPECT_TRUE(p.ctrl_wanted());       // they hear the shutdown request
  p.observe_talking(false);
  EXPECT_FALSE(p.fresh_start_due());
  EXPECT_FALSE(p.ctrl_wanted());  // quiet: a woken module must not hear it again
  p.observe_talking(true);
  EXPECT_TRUE(p.fresh_start_due());
}

}  // namespace
}  // namespace essd::core::test
