// SPDX-License-Identifier: MIT
// docs/core.md "The whole picture", for every topology: no path closes,
// the balance pre-check does not pass and no latch clears while a talking
// module is not connected (or still settling), a lost module has not
// reconnected, or fewer modules are connected than configured; a loss
// stands across COMM OFF MODE and a reload; a loss is declared when the
// timeout runs out (next_deadline / advance), not at the next tick.
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
                       {"parallel16", Model::ij1002c, Topology::parallel, 16},
                       {"series", Model::ij4001c, Topology::series, 3},
                       {"series_parallel", Model::ij4001c, Topology::series_parallel, 4}};

class WholePicture : public ::testing::TestWithParam<int> {
 protected:
  const Topo& topo() const { return kTopos[GetParam()]; }
  CoreConfig config(bool counted) const {
    return make_config(topo().model, topo().topology, counted ? topo().modules : 0);
  }
  static bool open_both(Rig& r) { return !r.ctl.charge_closed() && !r.ctl.discharge_closed(); }
  static bool closed_both(Rig& r) { return r.ctl.charge_closed() && r.ctl.discharge_closed(); }
  static bool has_event(const std::vector<Event>& ev, const std::string& kind) {
    for (const auto& e : ev)
      if (e.kind == kind) return true;
    return false;
  }
};

// STATUS and ALARMS long before any INFO: talking, not connected.
TEST_P(WholePicture, StatusLongBeforeInfoKeepsEverythingOpen) {
  Rig r(config(false), topo().modules);
  r.period_count = 1;  // no INFO in the coming periods
  for (int i = 0; i < 30; ++i) {
    r.now += 100;
    for (auto& m : r.mods) {
      r.ctl.on_frame(m.status(), r.now);
      r.ctl.on_frame(m.alarms(), r.now);
    }
    r.ctl.tick(r.now);
    ASSERT_TRUE(open_both(r)) << "t=" << r.now;
  }
  EXPECT_TRUE(r.blocked(true, "module_connecting:0"));
  EXPECT_TRUE(r.events_of("balance_pass").empty());
  // INFO staggered: one module at a time; nothing closes until the last
  // one has connected and settled.
  for (std::size_t k = 0; k < r.mods.size(); ++k) {
    r.ctl.on_frame(r.mods[k].info(), r.now + 1);
    r.period();
    if (k + 1 < r.mods.size()) {
      ASSERT_TRUE(open_both(r)) << "after INFO of module " << k;
    }
  }
  EXPECT_TRUE(open_both(r));  // the last one is still settling
  r.run_ms(Rig::kSettleRunMs);
  EXPECT_TRUE(closed_both(r)) << ::testing::PrintToString(r.ctl.snapshot(r.now).charge.blocked_by);
}

// One module talks but never sends INFO: the others must not close.
TEST_P(WholePicture, OneTalkingModuleWithoutInfoBlocks) {
  Rig r(config(false), topo().modules);
  const std::uint8_t last = static_cast<std::uint8_t>(topo().modules - 1);
  for (int i = 0; i < 40; ++i) {
    r.now += 100;
    for (auto& m : r.mods) {
      r.ctl.on_frame(m.status(), r.now);
      r.ctl.on_frame(m.alarms(), r.now);
      if (i % 10 == 0 && m.address != last) r.ctl.on_frame(m.info(), r.now);
    }
    r.ctl.tick(r.now);
    ASSERT_TRUE(open_both(r)) << "t=" << r.now;
  }
  EXPECT_TRUE(r.blocked(false, "module_connecting:" + std::to_string(last)));
  EXPECT_TRUE(r.events_of("balance_pass").empty());
}

// A newly connected module counts only after one duplicate window.
TEST_P(WholePicture, NewModuleSettlesBeforeItCounts) {
  Rig r(config(false), topo().modules);
  r.period();  // every module: STATUS, ALARMS, INFO
  const MonoMs first_info = r.now;
  EXPECT_EQ(r.ctl.snapshot(r.now).modules_connected, topo().modules);
  while (r.now + 100 < first_info + Registry::kSettleMs) {
    r.period();
    ASSERT_TRUE(open_both(r)) << "t=" << r.now;
    ASSERT_TRUE(r.blocked(true, "module_connecting:0"));
  }
  r.run_ms(200);
  EXPECT_TRUE(closed_both(r));
}

// A duplicate whose second INFO shows within the window is caught before
// any path closes.
TEST_P(WholePicture, DuplicateWithinTheWindowNeverCloses) {
  Rig r(config(false), topo().modules);
  r.period();
  ModuleModel twin = r.mods[0];
  twin.serial = 0x77;
  for (int i = 0; i < 30; ++i) {
    r.period();
    if (i == 8) r.ctl.on_frame(twin.info(), r.now + 50);  // 900 ms after the first INFO
    ASSERT_TRUE(open_both(r)) << "t=" << r.now;
  }
  EXPECT_TRUE(r.blocked(true, "topology"));
}

// Fewer connected than configured: no close, no pass, no latch clear.
TEST_P(WholePicture, ConfiguredCountMustBeMet) {
  Rig r(config(true), topo().modules, Latches{true, true});
  r.muted = {static_cast<std::uint8_t>(topo().modules - 1)};
  r.connect();
  r.run_ms(2000);
  EXPECT_TRUE(open_both(r));
  EXPECT_TRUE(r.ctl.latches().ov_error);
  EXPECT_TRUE(r.ctl.latches().discharge_error);
  EXPECT_TRUE(r.events_of("balance_pass").empty());
  r.muted.clear();
  r.run_ms(1000 + Rig::kSettleRunMs);
  EXPECT_TRUE(closed_both(r));
  EXPECT_FALSE(r.ctl.latches().ov_error);
}

// A module joining mid-run opens both paths on its first STATUS, and the
// balance pre-check runs again once it has connected and settled.
TEST_P(WholePicture, JoinMidRunOpensAtOnceAndRechecksBalance) {
  const int n = topo().modules;
  if (topo().topology != Topology::parallel || n >= 16) GTEST_SKIP() << "needs a free address";
  Rig r(config(false), n);
  r.connect();
  ASSERT_TRUE(closed_both(r));
  ModuleModel join;
  join.address = static_cast<std::uint8_t>(n);
  join.serial = 0x55;
  join.rsoc = 90;  // out of band
  r.ctl.on_frame(join.status(), r.now + 1);
  EXPECT_TRUE(open_both(r));
  EXPECT_TRUE(r.blocked(true, "module_connecting:" + std::to_string(n)));
  r.mods.push_back(join);
  r.run_ms(3000);
  EXPECT_TRUE(open_both(r));
  EXPECT_TRUE(r.blocked(true, "balance"));
  r.mods.back().rsoc = 61;
  r.period();
  EXPECT_TRUE(closed_both(r));
}

TEST_P(WholePicture, LostStaysLostAcrossMaintenance) {
  Rig r(config(false), topo().modules);
  r.connect();
  r.muted = {1};
  r.run_ms(600);
  ASSERT_EQ(r.ctl.snapshot(r.now).modules_lost, 1);
  r.ctl.set_maintenance(true, r.now);
  r.run_ms(1000);
  r.ctl.set_maintenance(false, r.now);
  r.run_ms(3000);
  const auto s = r.ctl.snapshot(r.now);
  EXPECT_EQ(s.modules_lost, 1);
  EXPECT_EQ(s.modules[1].link, Link::lost);
  EXPECT_TRUE(open_both(r));
  EXPECT_TRUE(r.blocked(true, "comm_error"));
  r.muted.clear();
  r.run_ms(1000 + Rig::kSettleRunMs);
  EXPECT_TRUE(closed_both(r));
}

// A module that falls silent during COMM OFF MODE is lost after it, not
// forgotten: the others do not close without it.
TEST_P(WholePicture, SilentThroughMaintenanceIsLostAfterIt) {
  Rig r(config(false), topo().modules);
  r.connect();
  r.ctl.set_maintenance(true, r.now);
  r.muted = {0};
  r.run_ms(2000);
  r.ctl.set_maintenance(false, r.now);
  r.period();
  EXPECT_TRUE(open_both(r));
  EXPECT_TRUE(r.blocked(true, "module_connecting:0"));
  r.run_ms(3000);
  const auto s = r.ctl.snapshot(r.now);
  EXPECT_EQ(s.modules[0].link, Link::lost);
  EXPECT_TRUE(open_both(r));
  EXPECT_TRUE(r.blocked(true, "comm_error"));
  r.muted.clear();
  r.run_ms(1000 + Rig::kSettleRunMs);
  EXPECT_TRUE(closed_both(r));
}

TEST_P(WholePicture, LostStaysLostAcrossReload) {
  Rig r(config(false), topo().modules);
  r.connect();
  r.muted = {0};
  r.run_ms(600);
  CoreConfig c = config(true);
  c.limits.comm_timeout_ms = 1000;
  r.ctl.reconfigure(c, r.now);
  r.run_ms(2000);
  EXPECT_EQ(r.ctl.snapshot(r.now).modules[0].link, Link::lost);
  EXPECT_TRUE(open_both(r));
}

// Latches clear only when the clear condition holds for every talking module.
TEST_P(WholePicture, LatchNeedsEveryTalkingModule) {
  Rig r(config(false), topo().modules, Latches{true, false});
  const std::uint8_t last = static_cast<std::uint8_t>(topo().modules - 1);
  r.mods[last].voltage_v = 57.5;  // would keep OV ERROR, but sends no INFO
  r.period_count = 1;
  for (int i = 0; i < 30; ++i) {
    r.now += 100;
    for (auto& m : r.mods) {
      r.ctl.on_frame(m.status(), r.now);
      r.ctl.on_frame(m.alarms(), r.now);
      if (i % 10 == 0 && m.address != last) r.ctl.on_frame(m.info(), r.now);
    }
    r.ctl.tick(r.now);
    ASSERT_TRUE(r.ctl.latches().ov_error) << "t=" << r.now;
  }
}

// The loss shows when comm_timeout_ms runs out, through next_deadline().
TEST_P(WholePicture, LossDeclaredAtItsDeadline) {
  Rig r(config(false), topo().modules);
  r.connect();
  ASSERT_TRUE(closed_both(r));
  r.muted = {0};
  const MonoMs last_status = r.now;
  r.now += 30;  // between ticks
  r.ctl.advance(r.now);
  const auto due = r.ctl.next_deadline();
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, last_status + 500);
  r.ctl.advance(*due - 1);
  EXPECT_TRUE(closed_both(r));
  r.ctl.advance(*due);
  EXPECT_TRUE(open_both(r));
  EXPECT_EQ(r.ctl.snapshot(*due).modules[0].link, Link::lost);
  EXPECT_TRUE(has_event(r.ctl.take_events(), "module_lost"));
}

TEST_P(WholePicture, NothingDueWithoutModules) {
  Controller c(config(false), 0);
  EXPECT_FALSE(c.next_deadline());
}

INSTANTIATE_TEST_SUITE_P(AllTopologies, WholePicture, ::testing::Range(0, 4),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return std::string(kTopos[p.param].name);
                         });

}  // namespace
}  // namespace essd::core::test
