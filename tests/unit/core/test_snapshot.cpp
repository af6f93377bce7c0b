// SPDX-License-Identifier: MIT
// Snapshot, CTRL, counters, events and configuration.
#include "core_rig.hpp"

namespace essd::core::test {
namespace {

TEST(Snapshot, RevisionCtrlAliveAndCounters) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  const auto r0 = r.ctl.snapshot(r.now).revision;
  EXPECT_EQ(r.ctl.snapshot(r.now).revision, r0);  // nothing changed
  r.connect();
  const auto r1 = r.ctl.snapshot(r.now).revision;
  EXPECT_GT(r1, r0);
  r.ctl.tick(r.now + 1);
  EXPECT_EQ(r.ctl.snapshot(r.now + 1).revision, r1);
  r.ctl.set_panel_inputs({true, {}, {}, {}}, r.now + 2);
  EXPECT_GT(r.ctl.snapshot(r.now + 2).revision, r1);
  const auto a = r.ctl.next_ctrl().alive;
  EXPECT_EQ(r.ctl.next_ctrl().alive, static_cast<std::uint8_t>(a + 1));
  const auto valid_before = r.ctl.counters().frames_valid;
  r.ctl.on_frame(CanFrame::make(0x7FF, {0}), r.now + 3);
  CanFrame bad = r.mods[0].status();
  bad.len = 4;
  r.ctl.on_frame(bad, r.now + 3);
  const auto& c = r.ctl.counters();
  EXPECT_EQ(c.unknown_id, 1u);
  EXPECT_EQ(c.frames_invalid, 1u);
  EXPECT_EQ(c.invalid_by_reason[0], 1u);
  EXPECT_EQ(c.frames_valid, valid_before);  // neither is valid
  EXPECT_EQ(r.ctl.snapshot(r.now).modules[0].invalid[0], 1u);
}

TEST(Snapshot, ErrorOrderAndModes) {
  CoreConfig cfg = make_config(Model::ij1001c, Topology::parallel);
  cfg.heatsink_configured = true;
  Rig r(cfg, 1, Latches{true, true});
  r.ctl.set_maintenance(true, r.now);
  const auto s = r.ctl.snapshot(r.now);
  std::vector<std::string> codes;
  for (const auto& e : s.errors) codes.push_back(e.code);
  const std::vector<std::string> want = {"ov_error", "discharge_error", "no_module", "maintenance",
                                         "heatsink"};
  EXPECT_EQ(codes, want);
  EXPECT_EQ(s.mode, SystemMode::maintenance);
  EXPECT_TRUE(r.ctl.take_ctrl_request());
  const auto ev = r.events_of("mode_change");
  ASSERT_EQ(ev.size(), 1u);
  r.ctl.set_maintenance(false, r.now);
  r.ctl.set_panel_inputs({true, {}, {}, {}}, r.now);
  EXPECT_EQ(r.ctl.snapshot(r.now).mode, SystemMode::off);
  EXPECT_TRUE(r.blocked(true, "off_mode"));
}

TEST(Snapshot, PathEventsCarryCause) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.connect();
  auto ev = r.ctl.take_events();
  int closes = 0;
  for (const auto& e : ev) closes += e.kind == "path_close";
  EXPECT_EQ(closes, 2);
  r.ctl.set_host_disconnect(true, r.now);
  ev = r.ctl.take_events();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, "path_open");
  EXPECT_EQ(ev[0].cause, "host_disconnect");
  EXPECT_EQ(ev[0].path, "charge");
  EXPECT_EQ(ev[1].path, "discharge");
}

}  // namespace
}  // namespace essd::core::test

namespace essd::core::test {
namespace {

TEST(Config, FromConfigAndReconfigure) {
  Config c;
  c.system.model = Model::ij4001c;
  c.system.topology = Topology::series;
  c.system.modules = 3;
  c.limits.comm_timeout_ms = 1000;
  const CoreConfig cc = CoreConfig::from(c, true);
  EXPECT_EQ(cc.model, Model::ij4001c);
  EXPECT_EQ(cc.topology, Topology::series);
  EXPECT_EQ(cc.expected_modules, 3);
  EXPECT_EQ(cc.limits.comm_timeout_ms, 1000);
  EXPECT_TRUE(cc.heatsink_configured);

  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.connect();
  ASSERT_TRUE(r.ctl.charge_closed());
  r.ctl.reconfigure(make_config(Model::ij1001c, Topology::parallel, 3), r.now);
  EXPECT_FALSE(r.ctl.charge_closed());
  EXPECT_EQ(r.ctl.snapshot(r.now).errors.front().text, "COUNT 2 NOT 3");
  r.ctl.reconfigure(make_config(Model::ij1001c, Topology::parallel, 2), r.now);
  EXPECT_TRUE(r.ctl.charge_closed());
  // A longer timeout takes effect at once.
  CoreConfig slow = make_config(Model::ij1001c, Topology::parallel, 2);
  slow.limits.comm_timeout_ms = 1000;
  r.ctl.reconfigure(slow, r.now);
  r.muted = {1};
  r.run_ms(800);
  EXPECT_TRUE(r.ctl.charge_closed());
  r.run_ms(300);
  EXPECT_FALSE(r.ctl.charge_closed());
}

}  // namespace
}  // namespace essd::core::test
