// SPDX-License-Identifier: MIT
// Scenario [variety]: module-to-module differences of a real rack, seeded,
// off by default (a scenario without the table leaves every module as before).
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/scenario.hpp"
#include "sim_harness.hpp"

namespace essd::sim {
namespace {

using test::Harness;

constexpr const char* kRack = R"(name = "rack"
[variety]
capacity_pct = 4.0
soc_pct = 2.0
rack_temp_c = 6.0
cell_spread = 3.0
drift_module = 1
drift_pct_per_h = 360.0
)";

SimOptions options(int modules, std::uint32_t seed = 7) {
  SimOptions o;
  o.modules = modules;
  o.seed = seed;
  return o;
}

TEST(Variety, ParsesEveryKeyAndRejectsBadOnes) {
  const auto sc = parse_scenario(kRack, "v.toml");
  EXPECT_TRUE(sc.variety.enabled);
  EXPECT_EQ(sc.variety.capacity_pct, 4.0);
  EXPECT_EQ(sc.variety.soc_pct, 2.0);
  EXPECT_EQ(sc.variety.rack_temp_c, 6.0);
  EXPECT_EQ(sc.variety.cell_spread, 3.0);
  EXPECT_EQ(sc.variety.drift_module, 1);
  EXPECT_EQ(sc.variety.drift_pct_per_h, 360.0);
  EXPECT_FALSE(parse_scenario("name = \"x\"\n", "v.toml").variety.enabled);

  auto error_of = [](const char* text) {
    try {
      parse_scenario(text, "v.toml");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("[variety]\nwobble = 1\n"), "v.toml:2: unknown key 'wobble' in variety");
  EXPECT_EQ(error_of("[variety]\nsoc_pct = 25\n"), "v.toml:2: soc_pct must be a number in [0, 20]");
  EXPECT_EQ(error_of("variety = 3\n"), "v.toml:1: variety must be a table ([variety])");
  EXPECT_THROW(Simulator(options(1), parse_scenario(kRack, "v.toml")),
               std::invalid_argument);  // no module 1
}

TEST(Variety, ModulesDifferWithinTheLimitsAndDeterministically) {
  const auto sc = parse_scenario(kRack, "v.toml");
  Harness a(options(8), sc);
  Harness b(options(8), sc);
  Harness plain(options(8));
  double soc_lo = 1, soc_hi = 0, cap_lo = 1e9, cap_hi = 0;
  for (int i = 0; i < 8; ++i) {
    const auto ma = a.sim.module(i);
    EXPECT_EQ(ma.rsoc, b.sim.module(i).rsoc) << "same seed, same rack";
    EXPECT_EQ(ma.full_charge_ah, b.sim.module(i).full_charge_ah);
    soc_lo = std::min(soc_lo, ma.rsoc);
    soc_hi = std::max(soc_hi, ma.rsoc);
    cap_lo = std::min(cap_lo, ma.full_charge_ah);
    cap_hi = std::max(cap_hi, ma.full_charge_ah);
  }
  EXPECT_GT(soc_hi - soc_lo, 0.003);
  EXPECT_LE(soc_hi - soc_lo, 0.03) << "inside the 3 % balance limit";
  EXPECT_GT(cap_hi / cap_lo, 1.005);
  EXPECT_NE(a.sim.module(3).rsoc, plain.sim.module(3).rsoc);
}

TEST(Variety, TopOfTheRackRunsWarmerAndTheDriftingModuleLosesCharge) {
  const auto sc = parse_scenario(kRack, "v.toml");
  Harness h(options(4), sc);
  Harness plain(options(4));
  const double drift_start = h.sim.module(1).charge_ah;
  const double other_start = h.sim.module(2).charge_ah;
  h.run(20'000);  // 20 s; no current flows
  plain.run(20'000);
  EXPECT_NEAR(h.sim.module(3).max_temp_c - h.sim.module(0).max_temp_c, 6.0, 0.5);
  EXPECT_NEAR(plain.sim.module(3).max_temp_c, plain.sim.module(0).max_temp_c, 0.5);
  // 360 %/h = 0.1 % of capacity per second: 20 s lose 2 %.
  const double lost = drift_start - h.sim.module(1).charge_ah;
  EXPECT_NEAR(lost / h.sim.module(1).full_charge_ah, 0.02, 0.002);
  EXPECT_NEAR(h.sim.module(2).charge_ah, other_start, 1e-9);
}

}  // namespace
}  // namespace essd::sim
