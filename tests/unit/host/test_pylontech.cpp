// SPDX-License-Identifier: MIT
// Golden tests of the Pylontech-compatible encoder, decoded by the spec-table
// decoder in pylon_decoder.hpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "host/pylontech.hpp"
#include "host_snapshots.hpp"
#include "pylon_decoder.hpp"

namespace essd::host::test {
namespace {

PylonView encode(const SystemSnapshot& s, PylontechOptions o = {},
                 std::vector<std::string>* sat = nullptr) {
  return decode_pylon(encode_pylontech(s, o, sat));
}

TEST(Pylontech, NormalParallelGolden) {
  const auto frames = encode_pylontech(normal_parallel(), {});
  // Exact bytes of the two frames with packed values, worked out by hand.
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[0], CanFrame::make(0x351, {0x40, 0x02, 0xF4, 0x01, 0xF4, 0x01, 0x40, 0x01}));
  EXPECT_EQ(frames[2], CanFrame::make(0x356, {0xC8, 0x14, 0x10, 0xFF, 0xFA, 0x00}));

  const PylonView v = decode_pylon(frames);
  EXPECT_EQ(v.ids, (std::vector<std::uint32_t>{0x351, 0x355, 0x356, 0x359, 0x35C, 0x35E}));
  EXPECT_DOUBLE_EQ(v.cvl_v, 57.6);
  EXPECT_DOUBLE_EQ(v.ccl_a, 50.0);
  EXPECT_DOUBLE_EQ(v.dcl_a, 50.0);
  EXPECT_DOUBLE_EQ(v.dvl_v, 32.0);
  EXPECT_EQ(v.soc, 80);
  EXPECT_EQ(v.soh, 95);  // 4 x 22.8 Ah / 4 x 24.0 Ah
  EXPECT_DOUBLE_EQ(v.voltage_v, 53.2);
  EXPECT_DOUBLE_EQ(v.current_a, -24.0);
  EXPECT_DOUBLE_EQ(v.temp_c, 25.0);
  EXPECT_FALSE(v.p_ov || v.p_uv || v.p_ot || v.p_ut || v.p_dis_oc || v.p_chg_oc || v.p_sys);
  EXPECT_FALSE(v.w_ov || v.w_uv || v.w_ot || v.w_ut || v.w_dis_oc || v.w_chg_oc || v.w_sys);
  EXPECT_EQ(v.reserved_359, 0);
  EXPECT_EQ(v.modules, 4);
  EXPECT_EQ(v.pn, "PN");
  EXPECT_TRUE(v.charge_enable);
  EXPECT_TRUE(v.discharge_enable);
  EXPECT_FALSE(v.force_charge);
  EXPECT_EQ(v.reserved_35c, 0);
  EXPECT_EQ(v.name, "PYLON   ");
  EXPECT_FALSE(v.v372 || v.v373 || v.v379);
}

TEST(Pylontech, ChargeBlockedClearsOnlyChargeEnable) {
  auto s = normal_parallel();
  s.charge.closed = false;
  s.charge.blocked_by = {"module_chg_line:2"};
  s.limits.ccl_a = 0;
  s.modules[2].status->chg = false;
  const PylonView v = encode(s);
  EXPECT_DOUBLE_EQ(v.ccl_a, 0.0);
  EXPECT_FALSE(v.charge_enable);
  EXPECT_TRUE(v.discharge_enable);
  EXPECT_DOUBLE_EQ(v.cvl_v, 57.6);  // never 0, even with charging blocked
}

TEST(Pylontech, OvErrorSetsOverVoltageProtection) {
  auto s = normal_parallel();
  s.ov_error = true;
  s.limits.ccl_a = 0;
  PylonView v = encode(s);
  EXPECT_TRUE(v.p_ov);
  EXPECT_FALSE(v.charge_enable);
  EXPECT_TRUE(v.discharge_enable);
  EXPECT_FALSE(v.force_charge);
  // The module alarm alone also sets it.
  auto s2 = normal_parallel();
  s2.modules[3].alarms->bits = bus::kAlarmOverVoltage;
  EXPECT_TRUE(encode(s2).p_ov);
}

TEST(Pylontech, DischargeErrorRequestsForceCharge) {
  auto s = normal_parallel();
  s.discharge_error = true;
  s.limits.dcl_a = 0;
  s.rsoc_pct = 4;
  const PylonView v = encode(s);
  EXPECT_TRUE(v.p_uv);
  EXPECT_TRUE(v.w_uv);  // RSOC below 10 %
  EXPECT_TRUE(v.force_charge);
  EXPECT_TRUE(v.charge_enable);
  EXPECT_FALSE(v.discharge_enable);
  EXPECT_EQ(v.soc, 4);
  // Under-voltage alarm 0x2000 alone: protection, no force charge.
  auto s2 = normal_parallel();
  s2.modules[0].alarms->bits = bus::kAlarmUnderVoltage;
  const PylonView v2 = encode(s2);
  EXPECT_TRUE(v2.p_uv);
  EXPECT_FALSE(v2.force_charge);
  EXPECT_FALSE(v2.w_uv);
}

TEST(Pylontech, CommErrorIsSystemErrorAndCountsOnlyConnected) {
  auto s = normal_parallel();
  lose_module(s, 3);
  s.limits.ccl_a = s.limits.dcl_a = 0;
  PylontechOptions o;
  o.victron_frames = true;
  const PylonView v = encode(s, o);
  EXPECT_TRUE(v.p_sys);
  EXPECT_EQ(v.modules, 3);
  EXPECT_FALSE(v.charge_enable || v.discharge_enable);
  ASSERT_TRUE(v.v372);
  EXPECT_EQ(*v.v372, (std::vector<int>{3, 0, 0, 1}));
}

TEST(Pylontech, TopologyAndMaintenanceAreSystemErrors) {
  auto s = normal_parallel();
  s.topology_error = TopologyError::gap;
  EXPECT_TRUE(encode(s).p_sys);
  auto m = normal_parallel();
  m.maintenance = true;
  EXPECT_TRUE(encode(m).p_sys);
}

TEST(Pylontech, TemperatureAndOvercurrentRules) {
  auto s = normal_parallel();
  s.modules[0].alarms->temp_min_c = -21;
  s.modules[1].alarms->temp_max_c = 41;
  PylonView v = encode(s);
  EXPECT_TRUE(v.p_ut);
  EXPECT_TRUE(v.w_ut);
  EXPECT_TRUE(v.w_ot);
  EXPECT_FALSE(v.p_ot);

  auto b = normal_parallel();
  b.modules[0].alarms->temp_min_c = -20;  // not below -20: warning only
  b.modules[1].alarms->temp_max_c = 40;   // not above 40
  v = encode(b);
  EXPECT_FALSE(v.p_ut);
  EXPECT_TRUE(v.w_ut);
  EXPECT_FALSE(v.w_ot);

  auto t = normal_parallel();
  t.modules[2].status->state = bus::kOverTempDischarge;
  EXPECT_TRUE(encode(t).p_ot);
  auto t2 = normal_parallel();
  t2.modules[2].alarms->bits = bus::kAlarmOverTemp;
  EXPECT_TRUE(encode(t2).p_ot);

  auto oc = normal_parallel();
  oc.overcurrent_discharge = true;
  v = encode(oc);
  EXPECT_TRUE(v.p_dis_oc);
  EXPECT_FALSE(v.p_chg_oc);
  auto oc2 = normal_parallel();
  oc2.modules[1].status->state = bus::kOverCurrentCharge;
  v = encode(oc2);
  EXPECT_TRUE(v.p_chg_oc);
  EXPECT_FALSE(v.p_dis_oc);
  auto oc3 = normal_parallel();
  oc3.modules[1].status->state = bus::kOverCurrentDischarge;
  EXPECT_TRUE(encode(oc3).p_dis_oc);
}

TEST(Pylontech, ChargeTerminateIsOverVoltageWarning) {
  auto s = normal_parallel();
  s.modules[2].status->state = bus::kChargeTerminate;
  const PylonView v = encode(s);
  EXPECT_TRUE(v.w_ov);
  EXPECT_FALSE(v.p_ov);
}

TEST(Pylontech, LostModuleValuesAreNotUsed) {
  auto s = normal_parallel();
  s.modules[3].alarms->temp_max_c = 70;
  s.modules[3].alarms->bits = bus::kAlarmOverVoltage;
  lose_module(s, 3);
  const PylonView v = encode(s);
  EXPECT_FALSE(v.w_ot);
  EXPECT_FALSE(v.p_ov);
}

TEST(Pylontech, Ij4001cSevenSeriesSaturatesVoltage) {
  std::vector<std::string> sat;
  const PylonView v = encode(ij4001c_series7(), {}, &sat);
  EXPECT_DOUBLE_EQ(v.voltage_v, 327.67);  // saturated, not wrapped to negative
  EXPECT_DOUBLE_EQ(v.cvl_v, 403.2);
  EXPECT_DOUBLE_EQ(v.dvl_v, 224.0);
  EXPECT_DOUBLE_EQ(v.current_a, 10.0);
  EXPECT_EQ(v.modules, 7);
  EXPECT_EQ(sat, (std::vector<std::string>{"0x356.voltage"}));

  auto low = ij4001c_series7();
  low.voltage_v = 327.67;  // the largest value that fits
  sat.clear();
  EXPECT_DOUBLE_EQ(encode(low, {}, &sat).voltage_v, 327.67);
  EXPECT_TRUE(sat.empty());
}

TEST(Pylontech, CurrentSaturatesBothWays) {
  auto s = normal_parallel();
  s.current_a = -5000.0;
  std::vector<std::string> sat;
  EXPECT_DOUBLE_EQ(encode(s, {}, &sat).current_a, -3276.8);
  EXPECT_EQ(sat, (std::vector<std::string>{"0x356.current"}));
}

TEST(Pylontech, NoModuleKeepsCvlNonZeroAndPathsDisabled) {
  SystemSnapshot s;  // default: starting, no module, limits 0
  PylonView v = encode(s);
  EXPECT_GT(v.cvl_v, 0.0);
  EXPECT_DOUBLE_EQ(v.cvl_v, 57.6);
  EXPECT_FALSE(v.charge_enable || v.discharge_enable);
  EXPECT_EQ(v.modules, 0);
  SystemSnapshot s4;
  s4.model = Model::ij4001c;
  s4.topology = Topology::series;
  s4.configured_modules = 5;
  EXPECT_DOUBLE_EQ(encode(s4).cvl_v, 288.0);
}

TEST(Pylontech, NonFiniteValuesDoNotCrash) {
  auto s = normal_parallel();
  s.voltage_v = std::numeric_limits<double>::quiet_NaN();
  s.limits.ccl_a = std::numeric_limits<double>::infinity();
  const PylonView v = encode(s);
  EXPECT_DOUBLE_EQ(v.voltage_v, 0.0);
  EXPECT_DOUBLE_EQ(v.ccl_a, 0.0);
  EXPECT_FALSE(v.charge_enable);
}

TEST(Pylontech, ManufacturerNamePaddedTruncatedAndAscii) {
  PylontechOptions o;
  o.manufacturer_name = "SONY";
  EXPECT_EQ(encode(normal_parallel(), o).name, "SONY    ");
  o.manufacturer_name = "ABCDEFGHIJ";
  EXPECT_EQ(encode(normal_parallel(), o).name, "ABCDEFGH");
  o.manufacturer_name = "A\x01\xC3";
  EXPECT_EQ(encode(normal_parallel(), o).name, "A??     ");
}

TEST(Pylontech, VictronFrames) {
  PylontechOptions o;
  o.victron_frames = true;
  auto s = normal_parallel();
  s.modules[1].status->dis = false;
  s.modules[0].alarms->temp_min_c = 10;
  s.modules[3].alarms->temp_max_c = 31;
  const PylonView v = encode(s, o);
  EXPECT_EQ(v.ids.size(), 9u);
  ASSERT_TRUE(v.v372 && v.v373 && v.v379);
  EXPECT_EQ(*v.v372, (std::vector<int>{4, 0, 1, 0}));
  EXPECT_EQ(*v.v373, (std::vector<int>{3300, 3350, 283, 304}));
  EXPECT_EQ(*v.v379, 96);  // 4 x 24.0 Ah in parallel
  auto series = ij4001c_series7();
  EXPECT_EQ(*encode(series, o).v379, 24);  // a series string has one module's Ah
}

}  // namespace
}  // namespace essd::host::test
