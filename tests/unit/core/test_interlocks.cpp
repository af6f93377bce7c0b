// SPDX-License-Identifier: MIT
// One table-driven case per interlock row and direction, for each topology:
// the path holds while the condition holds, opens on the input that breaks
// it (naming the cause), and closes again once the condition recovers.
#include <functional>

#include "core_rig.hpp"

namespace essd::core::test {
namespace {

struct Topo {
  const char* name;
  Model model;
  Topology topology;
  int modules;
};
const Topo kTopos[] = {{"parallel", Model::ij1001c, Topology::parallel, 2},
                       {"series", Model::ij4001c, Topology::series, 2},
                       {"series_parallel", Model::ij4001c, Topology::series_parallel, 4}};

// Per-module current giving `system_a` in the topology (charge positive).
double module_current(const Topo& t, double system_a) {
  return system_a / modules_in_parallel(t.topology, t.modules);
}

struct Row {
  const char* name;
  std::string cause;
  bool charge;     // blocks the charge path
  bool discharge;  // blocks the discharge path
  std::function<void(Rig&, const Topo&)> brk;
  std::function<void(Rig&, const Topo&)> fix;
  MonoMs recover_ms;  // time the system needs after fix()
  bool series_applies = true;
};

void set_all(Rig& r, const std::function<void(ModuleModel&)>& f) {
  for (auto& m : r.mods) f(m);
}

std::vector<Row> rows() {
  return {
      {"comm_error", "comm_error", true, true,
       [](Rig& r, const Topo&) {
         r.muted = {1};
         r.run_ms(500);
       },
       [](Rig& r, const Topo&) { r.muted.clear(); }, 2000},
      {"module_chg_line", "module_chg_line:1", true, false,
       [](Rig& r, const Topo&) {
         r.mods[1].chg = false;
         r.period();
       },
       [](Rig& r, const Topo&) { r.mods[1].chg = true; }, 100},
      {"module_ov_line", "module_ov_line:1", true, false,
       [](Rig& r, const Topo&) {
         r.mods[1].ov = false;
         r.period();
       },
       [](Rig& r, const Topo&) { r.mods[1].ov = true; }, 100},
      {"module_dis_line", "module_dis_line:1", false, true,
       [](Rig& r, const Topo&) {
         r.mods[1].dis = false;
         r.period();
       },
       [](Rig& r, const Topo&) { r.mods[1].dis = true; }, 100},
      {"hw_chg_line", "hw_chg_line", true, false,
       [](Rig& r, const Topo&) {
         r.ctl.set_panel_inputs({false, false, true, true}, r.now);
       },
       [](Rig& r, const Topo&) {
         r.ctl.set_panel_inputs({false, true, true, true}, r.now);
       },
       0},
      {"hw_ov_line", "hw_ov_line", true, false,
       [](Rig& r, const Topo&) {
         r.ctl.set_panel_inputs({false, true, true, false}, r.now);
       },
       [](Rig& r, const Topo&) {
         r.ctl.set_panel_inputs({false, true, true, true}, r.now);
       },
       0},
      {"hw_dis_line", "hw_dis_line", false, true,
       [](Rig& r, const Topo&) {
         r.ctl.set_panel_inputs({false, true, false, true}, r.now);
       },
       [](Rig& r, const Topo&) {
         r.ctl.set_panel_inputs({false, true, true, true}, r.now);
       },
       0},
      {"off_mode", "off_mode", true, true,
       [](Rig& r, const Topo&) {
         r.ctl.set_panel_inputs({true, {}, {}, {}}, r.now);
       },
       [](Rig& r, const Topo&) { r.ctl.set_panel_inputs({}, r.now); }, 0},
      {"maintenance", "maintenance", true, true,
       [](Rig& r, const Topo&) { r.ctl.set_maintenance(true, r.now); },
       [](Rig& r, const Topo&) { r.ctl.set_maintenance(false, r.now); }, 2500},
      {"overcurrent_charge", "overcurrent", true, false,
       [](Rig& r, const Topo& t) {
         set_all(r, [&](ModuleModel& m) { m.current_a = module_current(t, 60); });
         r.period();
       },
       [](Rig& r, const Topo&) { set_all(r, [](ModuleModel& m) { m.current_a = 0; }); }, 10100},
      {"overcurrent_discharge", "overcurrent", false, true,
       [](Rig& r, const Topo& t) {
         set_all(r, [&](ModuleModel& m) { m.current_a = module_current(t, -60); });
         r.period();
       },
       [](Rig& r, const Topo&) { set_all(r, [](ModuleModel& m) { m.current_a = 0; }); }, 10100},
      {"heatsink", "heatsink", true, true,
       [](Rig& r, const Topo&) { r.ctl.set_heatsink(85.0, r.now); },
       [](Rig& r, const Topo&) { r.ctl.set_heatsink(74.9, r.now); }, 0},
      {"ov_error", "ov_error", true, false,
       [](Rig& r, const Topo&) {
         r.mods[1].state = bus::kOverVoltage;
         r.period();
       },
       [](Rig& r, const Topo&) { r.mods[1].state = bus::kStandby; }, 100},
      {"discharge_error", "discharge_error", false, true,
       [](Rig& r, const Topo&) {
         r.mods[1].alarm_bits = bus::kAlarmUnderVoltage;
         r.period();
       },
       [](Rig& r, const Topo&) { r.mods[1].alarm_bits = 0; }, 100},
      {"balance", "balance", true, true,
       [](Rig& r, const Topo&) {
         r.muted = {1};
         r.run_ms(600);
         r.mods[1].rsoc = 70;  // comes back 10 points off its neighbour
         r.muted.clear();
         r.run_ms(2500);  // reconnects with its next INFO, then settles
       },
       [](Rig& r, const Topo&) { r.mods[1].rsoc = 62; }, 100, false},
      {"host_disconnect", "host_disconnect", true, true,
       [](Rig& r, const Topo&) { r.ctl.set_host_disconnect(true, r.now); },
       [](Rig& r, const Topo&) { r.ctl.set_host_disconnect(false, r.now); }, 0},
      {"topology_voltage", "topology", true, true,
       [](Rig& r, const Topo&) {
         set_all(r, [](ModuleModel& m) { m.voltage_v = 25.0; });
         r.period();
       },
       [](Rig& r, const Topo&) { set_all(r, [](ModuleModel& m) { m.voltage_v = 53.0; }); }, 100},
  };
}

using Param = std::tuple<int, int>;  // topology index, row index

class InterlockRow : public ::testing::TestWithParam<Param> {};

TEST_P(InterlockRow, HoldsBreaksRecovers) {
  const Topo& t = kTopos[std::get<0>(GetParam())];
  const Row row = rows()[static_cast<std::size_t>(std::get<1>(GetParam()))];
  CoreConfig cfg = make_config(t.model, t.topology, t.modules);
  cfg.heatsink_configured = true;
  Rig r(cfg, t.modules);
  r.ctl.set_heatsink(40.0, r.now);
  r.ctl.set_panel_inputs({false, true, true, true}, r.now);
  r.connect();
  // Holds.
  ASSERT_TRUE(r.ctl.charge_closed())
      << ::testing::PrintToString(r.ctl.snapshot(r.now).charge.blocked_by);
  ASSERT_TRUE(r.ctl.discharge_closed());
  r.ctl.take_events();
  r.ctl.take_ctrl_request();

  row.brk(r, t);
  const bool applies = t.topology != Topology::series || row.series_applies;
  if (!applies) {
    EXPECT_TRUE(r.ctl.charge_closed());
    EXPECT_TRUE(r.ctl.discharge_closed());
    return;
  }
  // Breaks: the right path(s) open, naming the cause; the other stays closed.
  EXPECT_EQ(r.ctl.charge_closed(), !row.charge);
  EXPECT_EQ(r.ctl.discharge_closed(), !row.discharge);
  if (row.charge) {
    EXPECT_TRUE(r.blocked(true, row.cause));
  }
  if (row.discharge) {
    EXPECT_TRUE(r.blocked(false, row.cause));
  }
  EXPECT_TRUE(r.ctl.take_ctrl_request());
  bool saw_open = false;
  for (const auto& e : r.ctl.take_events())
    if (e.kind == "path_open") {
      saw_open = true;
      EXPECT_FALSE(e.cause.empty());
      EXPECT_TRUE(e.path == "charge" || e.path == "discharge");
    }
  EXPECT_TRUE(saw_open);

  // Recovers.
  row.fix(r, t);
  r.run_ms(row.recover_ms + 100);
  EXPECT_TRUE(r.ctl.charge_closed())
      << ::testing::PrintToString(r.ctl.snapshot(r.now).charge.blocked_by);
  EXPECT_TRUE(r.ctl.discharge_closed())
      << ::testing::PrintToString(r.ctl.snapshot(r.now).discharge.blocked_by);
  EXPECT_FALSE(r.events_of("path_close").empty());
}

INSTANTIATE_TEST_SUITE_P(AllRows, InterlockRow,
                         ::testing::Combine(::testing::Range(0, 3),
                                            ::testing::Range(0, static_cast<int>(rows().size()))),
                         [](const ::testing::TestParamInfo<Param>& p) {
                           return std::string(kTopos[std::get<0>(p.param)].name) + "_" +
                                  rows()[static_cast<std::size_t>(std::get<1>(p.param))].name;
                         });

// A path opens on the very frame that breaks its condition.
TEST(Interlocks, OpensOnTheVeryFrame) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 3);
  r.connect();
  ASSERT_TRUE(r.ctl.discharge_closed());
  r.mods[2].dis = false;
  r.ctl.on_frame(r.mods[2].status(), r.now + 10);
  EXPECT_FALSE(r.ctl.discharge_closed());
  EXPECT_TRUE(r.ctl.charge_closed());
  const auto ev = r.events_of("path_open");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].cause, "module_dis_line:2");
  EXPECT_EQ(ev[0].path, "discharge");
  EXPECT_EQ(ev[0].at_ms, r.now + 10);
}

TEST(Interlocks, BothOpenAtConstructionWithStarting) {
  Controller c(make_config(Model::ij1001c, Topology::parallel), 0);
  EXPECT_FALSE(c.charge_closed());
  EXPECT_FALSE(c.discharge_closed());
  const auto s = c.snapshot(0);
  EXPECT_TRUE(s.starting);
  ASSERT_FALSE(s.charge.blocked_by.empty());
  EXPECT_EQ(s.charge.blocked_by.front(), "starting");
  EXPECT_EQ(s.discharge.blocked_by.front(), "starting");
  const auto ctrl = c.next_ctrl();
  EXPECT_FALSE(ctrl.charge_closed);
  EXPECT_FALSE(ctrl.discharge_closed);
  EXPECT_EQ(ctrl.mode, bus::kCtrlNormal);
}

TEST(Interlocks, UnreadableHeatsinkIsDoubt) {
  CoreConfig cfg = make_config(Model::ij1001c, Topology::parallel);
  cfg.heatsink_configured = true;
  Rig r(cfg, 1);
  r.connect();
  EXPECT_TRUE(r.blocked(true, "heatsink"));  // no reading yet
  r.ctl.set_heatsink(30.0, r.now);
  EXPECT_TRUE(r.ctl.charge_closed());
  r.ctl.set_heatsink(std::nullopt, r.now);
  EXPECT_FALSE(r.ctl.charge_closed());
  EXPECT_FALSE(r.ctl.discharge_closed());
  EXPECT_TRUE(r.ctl.snapshot(r.now).heatsink_trip);
}

TEST(Interlocks, HeatsinkHysteresis) {
  CoreConfig cfg = make_config(Model::ij1001c, Topology::parallel);
  cfg.heatsink_configured = true;
  Rig r(cfg, 1);
  r.ctl.set_heatsink(50.0, r.now);
  r.connect();
  ASSERT_TRUE(r.ctl.charge_closed());
  r.ctl.set_heatsink(84.9, r.now);
  EXPECT_TRUE(r.ctl.charge_closed());
  r.ctl.set_heatsink(85.0, r.now);
  EXPECT_FALSE(r.ctl.charge_closed());
  r.ctl.set_heatsink(75.0, r.now);  // not below 75 yet
  EXPECT_FALSE(r.ctl.charge_closed());
  r.ctl.set_heatsink(74.9, r.now);
  EXPECT_TRUE(r.ctl.charge_closed());
  EXPECT_EQ(r.events_of("heatsink_trip").size(), 1u);
}

TEST(Interlocks, HeatsinkIgnoredWhenNotConfigured) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.ctl.set_heatsink(99.0, r.now);
  r.connect();
  EXPECT_TRUE(r.ctl.charge_closed());
}

TEST(Interlocks, RestoredLatchesOnlyKeepPathsOpen) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1, Latches{true, false});
  EXPECT_EQ(r.events_of("latch_restore").size(), 1u);
  r.mods[0].voltage_v = 57.0;  // not below 56.8: the restored latch stands
  r.connect();
  r.run_ms(500);
  EXPECT_FALSE(r.ctl.charge_closed());
  EXPECT_TRUE(r.blocked(true, "ov_error"));
  EXPECT_TRUE(r.ctl.discharge_closed());
  r.mods[0].voltage_v = 56.7;
  r.period();
  EXPECT_TRUE(r.ctl.charge_closed());
  EXPECT_FALSE(r.ctl.latches().ov_error);
  EXPECT_TRUE(r.ctl.take_latches_dirty());
}

TEST(Interlocks, MaintenanceIgnoresModuleDataAndSendsMode1) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.connect();
  r.ctl.set_maintenance(true, r.now);
  EXPECT_EQ(r.ctl.next_ctrl().mode, bus::kCtrlMaintenance);
  EXPECT_EQ(r.ctl.snapshot(r.now).mode, SystemMode::maintenance);
  r.mods[0].state = bus::kOverVoltage;  // ignored
  r.run_ms(1000);
  EXPECT_FALSE(r.ctl.latches().ov_error);
  EXPECT_EQ(r.ctl.snapshot(r.now).modules_lost, 0);
  r.mods[0].state = bus::kStandby;
  r.ctl.set_maintenance(false, r.now);
  EXPECT_FALSE(r.ctl.charge_closed());  // fresh data needed
  r.run_ms(2500);                       // INFO within 1 s, then one duplicate window
  EXPECT_TRUE(r.ctl.charge_closed());
  EXPECT_EQ(r.ctl.next_ctrl().mode, bus::kCtrlNormal);
}

}  // namespace
}  // namespace essd::core::test

namespace essd::core::test {
namespace {

// A module that talks but never completes its connection (no INFO) still
// has its lines respected: fail safe.
TEST(Interlocks, PendingModuleLinesCount) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.connect();
  ASSERT_TRUE(r.ctl.discharge_closed());
  ModuleModel half;
  half.address = 1;
  half.dis = false;
  r.ctl.on_frame(half.status(), r.now + 1);
  EXPECT_FALSE(r.ctl.discharge_closed());
  EXPECT_TRUE(r.blocked(false, "module_dis_line:1"));
  EXPECT_EQ(r.ctl.snapshot(r.now + 1).modules[1].link, Link::absent);
  r.run_ms(600);  // its STATUS is no longer current
  EXPECT_TRUE(r.ctl.discharge_closed());
}

}  // namespace
}  // namespace essd::core::test
