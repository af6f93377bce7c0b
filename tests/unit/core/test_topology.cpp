// SPDX-License-Identifier: MIT
// Topology errors (docs/core.md "Topology errors"): each is
// named in the snapshot and holds both paths open.
#include "core_rig.hpp"

namespace essd::core::test {
namespace {

struct TopoCase {
  const char* name;
  Model model;
  Topology topology;
  int expected;
  std::vector<int> addresses;
  TopologyError error;
  int address;
  const char* text;
};

class TopologyErrors : public ::testing::TestWithParam<TopoCase> {};

TEST_P(TopologyErrors, NamedAndBlocking) {
  const TopoCase& tc = GetParam();
  Rig r(make_config(tc.model, tc.topology, tc.expected), 0);
  for (int a : tc.addresses) {
    ModuleModel m;
    m.address = static_cast<std::uint8_t>(a);
    m.serial = static_cast<std::uint8_t>(a);
    r.mods.push_back(m);
  }
  r.connect();
  r.run_ms(300);
  const auto s = r.ctl.snapshot(r.now);
  EXPECT_EQ(s.topology_error, tc.error);
  if (tc.error == TopologyError::none) {
    EXPECT_TRUE(s.charge.closed);
    EXPECT_TRUE(s.errors.empty());
    return;
  }
  EXPECT_EQ(s.topology_address, tc.address);
  EXPECT_FALSE(s.charge.closed);
  EXPECT_FALSE(s.discharge.closed);
  ASSERT_FALSE(s.errors.empty());
  EXPECT_EQ(s.errors.front().text, tc.text);
  EXPECT_NE(std::find(s.charge.blocked_by.begin(), s.charge.blocked_by.end(), "topology"),
            s.charge.blocked_by.end());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TopologyErrors,
    ::testing::Values(TopoCase{"ok_parallel",
                               Model::ij1001c,
                               Topology::parallel,
                               0,
                               {0, 1, 2},
                               TopologyError::none,
                               -1,
                               ""},
                      TopoCase{"gap",
                               Model::ij1001c,
                               Topology::parallel,
                               0,
                               {0, 1, 3, 5},
                               TopologyError::gap,
                               2,
                               "ADDRESS GAP 02"},
                      TopoCase{"gap_zero",
                               Model::ij1001c,
                               Topology::parallel,
                               0,
                               {1},
                               TopologyError::gap,
                               0,
                               "ADDRESS GAP 00"},
                      TopoCase{"count",
                               Model::ij1002c,
                               Topology::parallel,
                               3,
                               {0, 1},
                               TopologyError::count,
                               -1,
                               "COUNT 2 NOT 3"},
                      TopoCase{"too_many_series",
                               Model::ij4001c,
                               Topology::series,
                               0,
                               {0, 1, 2, 3, 4, 5, 6, 7},
                               TopologyError::too_many,
                               -1,
                               "TOO MANY MODULES"},
                      TopoCase{"too_few_series",
                               Model::ij4001c,
                               Topology::series,
                               0,
                               {0},
                               TopologyError::too_few,
                               -1,
                               "TOO FEW MODULES"},
                      TopoCase{"too_few_sp",
                               Model::ij4001c,
                               Topology::series_parallel,
                               0,
                               {0, 1, 2},
                               TopologyError::too_few,
                               -1,
                               "TOO FEW MODULES"},
                      TopoCase{"pair",
                               Model::ij4001c,
                               Topology::series_parallel,
                               0,
                               {0, 1, 2, 3, 4},
                               TopologyError::pair,
                               -1,
                               "PAIR INCOMPLETE"},
                      TopoCase{"too_many_sp",
                               Model::ij4001c,
                               Topology::series_parallel,
                               0,
                               {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                               TopologyError::too_many,
                               -1,
                               "TOO MANY MODULES"},
                      TopoCase{"ok_7s2p",
                               Model::ij4001c,
                               Topology::series_parallel,
                               14,
                               {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
                               TopologyError::none,
                               -1,
                               ""}),
    [](const ::testing::TestParamInfo<TopoCase>& p) { return std::string(p.param.name); });

TEST(Interlocks, DuplicateAddressIsTopologyError) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.connect();
  ASSERT_TRUE(r.ctl.charge_closed());
  ModuleModel twin = r.mods[1];
  twin.serial = 0x77;
  r.ctl.on_frame(twin.info(), r.now + 5);
  const auto s = r.ctl.snapshot(r.now + 5);
  EXPECT_EQ(s.topology_error, TopologyError::duplicate);
  EXPECT_EQ(s.topology_address, 1);
  EXPECT_FALSE(s.charge.closed);
  EXPECT_EQ(s.errors.front().text, "DUPLICATE ADDR 01");
  EXPECT_FALSE(r.events_of("duplicate_address").empty());
}

TEST(Interlocks, SystemVoltageOutsideModelRange) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.mods[0].voltage_v = 29.9;
  r.connect();
  EXPECT_EQ(r.ctl.snapshot(r.now).topology_error, TopologyError::voltage);
  r.mods[0].voltage_v = 30.0;
  r.period();
  EXPECT_EQ(r.ctl.snapshot(r.now).topology_error, TopologyError::none);
  EXPECT_TRUE(r.ctl.charge_closed());
}

}  // namespace
}  // namespace essd::core::test
