// SPDX-License-Identifier: MIT
// Aggregation with hand-computed figures (docs/core.md "Aggregation").
#include "core_rig.hpp"

namespace essd::core::test {
namespace {

struct Mod {
  double v, i;
  int rsoc;
  int full_dah;
};

SystemSnapshot run(Model model, Topology t, const std::vector<Mod>& mods) {
  Rig r(make_config(model, t), 0);
  for (std::size_t a = 0; a < mods.size(); ++a) {
    ModuleModel m;
    m.address = static_cast<std::uint8_t>(a);
    m.voltage_v = mods[a].v;
    m.current_a = mods[a].i;
    m.rsoc = mods[a].rsoc;
    m.full_dah = static_cast<std::uint16_t>(mods[a].full_dah);
    m.serial = static_cast<std::uint8_t>(a);
    r.mods.push_back(m);
  }
  r.connect();
  return r.ctl.snapshot(r.now);
}

TEST(Aggregation, OneParallel) {
  const auto s = run(Model::ij1001c, Topology::parallel, {{53.2, -24.0, 80, 231}});
  EXPECT_NEAR(s.voltage_v, 53.2, 1e-9);
  EXPECT_NEAR(s.current_a, -24.0, 1e-9);
  EXPECT_NEAR(s.rsoc_pct, 80.0, 1e-9);
  EXPECT_TRUE(s.rsoc_known);
  EXPECT_EQ(s.modules_connected, 1);
  EXPECT_EQ(s.con_map, "---------------O");
}

TEST(Aggregation, TwoParallelCapacityWeighted) {
  // V = (52.0 + 53.0) / 2 = 52.5; I = 10 + (-4) = 6;
  // RSOC = (0.80*20 + 0.50*30) / (20 + 30) = (16 + 15) / 50 = 62 %.
  const auto s =
      run(Model::ij1001c, Topology::parallel, {{52.0, 10.0, 80, 200}, {53.0, -4.0, 50, 300}});
  EXPECT_NEAR(s.voltage_v, 52.5, 1e-9);
  EXPECT_NEAR(s.current_a, 6.0, 1e-9);
  EXPECT_NEAR(s.rsoc_pct, 62.0, 1e-9);
}

TEST(Aggregation, SixteenParallel) {
  std::vector<Mod> mods;
  for (int a = 0; a < 16; ++a) mods.push_back({50.0 + a * 0.1, -1.5, 60, 240});
  // V = 50 + 0.1 * mean(0..15) = 50.75; I = 16 * -1.5 = -24; RSOC 60.
  const auto s = run(Model::ij1002c, Topology::parallel, mods);
  EXPECT_NEAR(s.voltage_v, 50.75, 1e-9);
  EXPECT_NEAR(s.current_a, -24.0, 1e-9);
  EXPECT_NEAR(s.rsoc_pct, 60.0, 1e-9);
  EXPECT_EQ(s.con_map, "OOOOOOOOOOOOOOOO");
}

TEST(Aggregation, TwoSeries) {
  // V = 52 + 53 = 105; I = mean(10, 10.4) = 10.2; RSOC = lowest = 55.
  const auto s =
      run(Model::ij4001c, Topology::series, {{52.0, 10.0, 70, 240}, {53.0, 10.4, 55, 240}});
  EXPECT_NEAR(s.voltage_v, 105.0, 1e-9);
  EXPECT_NEAR(s.current_a, 10.2, 1e-9);
  EXPECT_NEAR(s.rsoc_pct, 55.0, 1e-9);
}

TEST(Aggregation, SevenSeries) {
  std::vector<Mod> mods;
  for (int a = 0; a < 7; ++a) mods.push_back({51.0 + a, -20.0 + a * 0.2, 90 - a, 240});
  // V = 7*51 + (0+..+6) = 357 + 21 = 378; I = -20 + 0.2*3 = -19.4; RSOC = 84.
  const auto s = run(Model::ij4001c, Topology::series, mods);
  EXPECT_NEAR(s.voltage_v, 378.0, 1e-9);
  EXPECT_NEAR(s.current_a, -19.4, 1e-9);
  EXPECT_NEAR(s.rsoc_pct, 84.0, 1e-9);
}

TEST(Aggregation, SevenSeriesTwoParallel) {
  std::vector<Mod> mods;
  for (int k = 0; k < 7; ++k) {
    mods.push_back({52.8, -10.0, 60 + k, 200});
    mods.push_back({53.0, -12.0, 62 + k, 300});
  }
  // Pair k: V = 52.9, I = -22, RSOC = ((60+k)*20 + (62+k)*30)/50 = 61.2 + k.
  // String: V = 7 * 52.9 = 370.3; I = -22; RSOC = lowest pair = 61.2.
  const auto s = run(Model::ij4001c, Topology::series_parallel, mods);
  EXPECT_NEAR(s.voltage_v, 370.3, 1e-9);
  EXPECT_NEAR(s.current_a, -22.0, 1e-9);
  EXPECT_NEAR(s.rsoc_pct, 61.2, 1e-9);
  EXPECT_TRUE(s.charge.closed);
}

TEST(Aggregation, UnknownRsocMakesSystemRsocUnknown) {
  const auto s = run(Model::ij1001c, Topology::parallel, {{53.0, 0, 0xFF, 240}});
  EXPECT_FALSE(s.rsoc_known);
}

TEST(Aggregation, LostModuleLeftOutAndShownStale) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.mods[0].voltage_v = 52.0;
  r.mods[1].voltage_v = 54.0;
  r.mods[0].current_a = 5;
  r.mods[1].current_a = 7;
  r.connect();
  EXPECT_NEAR(r.ctl.snapshot(r.now).current_a, 12.0, 1e-9);
  r.muted = {1};
  r.run_ms(600);
  const auto s = r.ctl.snapshot(r.now);
  EXPECT_NEAR(s.voltage_v, 52.0, 1e-9);
  EXPECT_NEAR(s.current_a, 5.0, 1e-9);
  EXPECT_TRUE(s.comm_error);
  EXPECT_EQ(s.con_map, "--------------XO");
  EXPECT_EQ(s.modules[1].link, Link::lost);
  EXPECT_TRUE(s.modules[1].stale);
  ASSERT_TRUE(s.modules[1].status);
  EXPECT_EQ(s.modules[1].status->voltage_10mv, 5400);
  EXPECT_GE(s.modules[1].age_ms, 500);
  EXPECT_EQ(s.errors.front().code, "comm_error");
  EXPECT_EQ(s.errors.front().text, "COMM ERROR");
}

}  // namespace
}  // namespace essd::core::test
