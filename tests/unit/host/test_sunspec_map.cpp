// SPDX-License-Identifier: MIT
// The SunSpec register image point by point (docs/host-links.md "RS232C terminal").
#include <gtest/gtest.h>

#include <string>

#include "host/sunspec_map.hpp"
#include "host_snapshots.hpp"

namespace essd::host::test {
namespace {

// Addresses written out from the spec, not from the header's constants.
constexpr int kM802 = 40070;
std::uint16_t at(const RegisterImage& img, int addr) {
  return img.at(static_cast<std::size_t>(addr - 40000));
}
std::uint16_t p802(const RegisterImage& img, int offset) {
  return at(img, kM802 + offset);
}
std::int16_t s802(const RegisterImage& img, int offset) {
  return static_cast<std::int16_t>(p802(img, offset));
}
std::uint32_t u32_802(const RegisterImage& img, int offset) {
  return static_cast<std::uint32_t>(p802(img, offset)) << 16 | p802(img, offset + 1);
}
std::string str(const RegisterImage& img, int addr, int regs) {
  std::string s;
  for (int r = 0; r < regs; ++r) {
    const std::uint16_t v = at(img, addr + r);
    s.push_back(static_cast<char>(v >> 8));
    s.push_back(static_cast<char>(v & 0xFF));
  }
  return s;
}

SunSpecIdentity ident() {
  SunSpecIdentity id;
  id.manufacturer = "Sony";
  id.model = "IJ1001C";
  id.options = "parallel";
  id.version = "0.1.0";
  id.serial = "SN-0042";
  id.device_address = 7;
  return id;
}

TEST(SunSpecMap, HeaderModelsAndEndMarker) {
  const RegisterImage img = build_sunspec_image(normal_parallel(), ident());
  EXPECT_EQ(img.size(), 136u);
  EXPECT_EQ(at(img, 40000), 0x5375);
  EXPECT_EQ(at(img, 40001), 0x6E53);
  EXPECT_EQ(at(img, 40002), 1);
  EXPECT_EQ(at(img, 40003), 66);
  EXPECT_EQ(at(img, 40070), 802);
  EXPECT_EQ(at(img, 40071), 62);
  EXPECT_EQ(at(img, 40134), 0xFFFF);
  EXPECT_EQ(at(img, 40135), 0);
}

TEST(SunSpecMap, CommonModelStrings) {
  const RegisterImage img = build_sunspec_image(normal_parallel(), ident());
  EXPECT_EQ(str(img, 40004, 16), std::string("Sony") + std::string(28, '\0'));
  EXPECT_EQ(str(img, 40020, 16), std::string("IJ1001C") + std::string(25, '\0'));
  EXPECT_EQ(str(img, 40036, 8), std::string("parallel") + std::string(8, '\0'));
  EXPECT_EQ(str(img, 40044, 8), std::string("0.1.0") + std::string(11, '\0'));
  EXPECT_EQ(str(img, 40052, 16), std::string("SN-0042") + std::string(25, '\0'));
  EXPECT_EQ(at(img, 40068), 7);       // DA
  EXPECT_EQ(at(img, 40069), 0x8000);  // Pad
  SunSpecIdentity longer = ident();
  longer.manufacturer = std::string(40, 'x');
  EXPECT_EQ(str(build_sunspec_image(normal_parallel(), longer), 40004, 16), std::string(32, 'x'));
  EXPECT_EQ(at(build_sunspec_image(normal_parallel(), longer), 40020), 0x494A);  // "IJ" intact
}

TEST(SunSpecMap, BatteryPointsNormal) {
  const RegisterImage img = build_sunspec_image(normal_parallel(), ident(), {0x1234});
  EXPECT_EQ(p802(img, 2), 960);              // AHRtg 96.0 Ah (SF -1)
  EXPECT_EQ(p802(img, 3), 4915);             // WHRtg 96 Ah x 51.2 V
  EXPECT_EQ(p802(img, 4), 2560);             // WChaRteMax min(4 x 24, 50) A x 51.2 V
  EXPECT_EQ(p802(img, 5), 2560);             // WDisChaRteMax min(4 x 50, 50) A x 51.2 V
  EXPECT_EQ(p802(img, 6), 0xFFFF);           // DisChaRte not implemented
  EXPECT_EQ(p802(img, 7), 1000);             // SoCMax 100.0 %
  EXPECT_EQ(p802(img, 8), 0);                // SoCMin
  EXPECT_EQ(p802(img, 9), 0xFFFF);           // SocRsvMax
  EXPECT_EQ(p802(img, 10), 0xFFFF);          // SoCRsvMin
  EXPECT_EQ(p802(img, 11), 800);             // SoC 80.0 %
  EXPECT_EQ(p802(img, 12), 200);             // DoD 20.0 %
  EXPECT_EQ(p802(img, 13), 950);             // SoH 95.0 %
  EXPECT_EQ(u32_802(img, 14), 103u);         // NCyc: most-cycled module
  EXPECT_EQ(p802(img, 16), 3);               // ChaSt DISCHARGING at -24 A
  EXPECT_EQ(p802(img, 17), 1);               // LocRemCtl LOCAL
  EXPECT_EQ(p802(img, 18), 123);             // Hb: seconds of 123456 ms
  EXPECT_EQ(p802(img, 19), 0x1234);          // CtrlHb as written
  EXPECT_EQ(p802(img, 20), 0);               // AlmRst
  EXPECT_EQ(p802(img, 21), 4);               // Typ LITHIUM_ION
  EXPECT_EQ(p802(img, 22), 3);               // State CONNECTED
  EXPECT_EQ(p802(img, 23), 0xFFFF);          // StateVnd
  EXPECT_EQ(u32_802(img, 24), 0xFFFFFFFFu);  // WarrDt
  EXPECT_EQ(u32_802(img, 26), 0u);           // Evt1
  EXPECT_EQ(u32_802(img, 28), 0xFFFFFFFFu);  // Evt2
  EXPECT_EQ(u32_802(img, 30), 0u);           // EvtVnd1: module alarm bits OR-ed
  EXPECT_EQ(u32_802(img, 32), 0xFFFFFFFFu);  // EvtVnd2
  EXPECT_EQ(p802(img, 34), 5320);            // V 53.20 (SF -2)
  EXPECT_EQ(p802(img, 35), 5760);            // VMax = CVL
  EXPECT_EQ(p802(img, 36), 3200);            // VMin = DVL
  EXPECT_EQ(p802(img, 37), 3350);            // CellVMax mV (SF -3)
  EXPECT_EQ(p802(img, 38), 0xFFFF);          // CellVMaxStr
  EXPECT_EQ(p802(img, 39), 2);               // CellVMaxMod: address
  EXPECT_EQ(p802(img, 40), 3300);            // CellVMin
  EXPECT_EQ(p802(img, 41), 0xFFFF);
  EXPECT_EQ(p802(img, 42), 1);
  EXPECT_EQ(p802(img, 43), 3325);    // CellVAvg (62 x 3325 + 3300 + 3350) / 64 rounds to 3325
  EXPECT_EQ(s802(img, 44), -240);    // A -24.0 (SF -1)
  EXPECT_EQ(p802(img, 45), 500);     // AChaMax
  EXPECT_EQ(p802(img, 46), 500);     // ADisChaMax
  EXPECT_EQ(s802(img, 47), -1277);   // W = 53.2 V x -24 A
  EXPECT_EQ(p802(img, 48), 0xFFFF);  // ReqInvState
  EXPECT_EQ(p802(img, 49), 0x8000);  // ReqW
  EXPECT_EQ(p802(img, 50), 1);       // SetOp CONNECT
  EXPECT_EQ(p802(img, 51), 0xFFFF);  // SetInvState
  const std::int16_t sfs[] = {-1, 0,  0, static_cast<std::int16_t>(0x8000), -1, -1, -1, -2, -3,
                              -1, -1, 0};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(s802(img, 52 + i), sfs[i]) << "SF offset " << 52 + i;
}

TEST(SunSpecMap, NoModuleReadsNotImplemented) {
  SystemSnapshot s;
  const RegisterImage img = build_sunspec_image(s, ident());
  EXPECT_EQ(p802(img, 22), 1);  // DISCONNECTED
  for (int off : {2, 3, 4, 5, 11, 12, 13, 34, 36, 37, 39, 40, 42, 43}) {
    EXPECT_EQ(p802(img, off), 0xFFFF) << off;
  }
  EXPECT_EQ(p802(img, 44), 0x8000);  // A int16
  EXPECT_EQ(p802(img, 47), 0x8000);  // W int16
  EXPECT_EQ(u32_802(img, 14), 0xFFFFFFFFu);
  EXPECT_NE(p802(img, 35), 0);  // VMax never 0
}

TEST(SunSpecMap, StateRules) {
  SystemSnapshot none;
  EXPECT_EQ(battery_state(none), BatState::disconnected);
  auto s = normal_parallel();
  EXPECT_EQ(battery_state(s), BatState::connected);
  s.starting = true;
  EXPECT_EQ(battery_state(s), BatState::initializing);
  s = normal_parallel();
  s.comm_error = true;
  EXPECT_EQ(battery_state(s), BatState::fault);
  s = normal_parallel();
  s.topology_error = TopologyError::count;
  s.ov_error = true;
  EXPECT_EQ(battery_state(s), BatState::fault);  // fault before SOC protection
  s = normal_parallel();
  s.ov_error = true;
  s.charge.closed = s.discharge.closed = false;
  EXPECT_EQ(battery_state(s), BatState::soc_protection);
  s = normal_parallel();
  s.discharge_error = true;
  EXPECT_EQ(battery_state(s), BatState::soc_protection);
  s = normal_parallel();
  s.maintenance = true;
  s.charge.closed = s.discharge.closed = false;
  EXPECT_EQ(battery_state(s), BatState::standby);
  s = normal_parallel();
  s.charge.closed = false;  // one path open is still CONNECTED
  EXPECT_EQ(battery_state(s), BatState::connected);
  s = normal_parallel();
  EXPECT_EQ(p802(build_sunspec_image(s, ident()), 22), 3);
}

TEST(SunSpecMap, ChargeStatusRules) {
  auto s = normal_parallel();
  s.current_a = 0.6;
  EXPECT_EQ(charge_status(s), ChargeStatus::charging);
  s.current_a = 0.5;
  EXPECT_EQ(charge_status(s), ChargeStatus::holding);
  s.current_a = -0.5;
  EXPECT_EQ(charge_status(s), ChargeStatus::holding);
  s.current_a = -0.6;
  EXPECT_EQ(charge_status(s), ChargeStatus::discharging);
  s.modules[2].status->state = bus::kChargeTerminate;
  EXPECT_EQ(charge_status(s), ChargeStatus::full);
  s.discharge_error = true;
  EXPECT_EQ(charge_status(s), ChargeStatus::empty);
  s.off_mode = true;
  EXPECT_EQ(charge_status(s), ChargeStatus::off);
}

TEST(SunSpecMap, Evt1Bits) {
  auto s = normal_parallel();
  EXPECT_EQ(evt1_bits(s), 0u);
  s.comm_error = true;
  EXPECT_EQ(evt1_bits(s), 1u << 0);
  s = normal_parallel();
  s.modules[0].alarms->bits = bus::kAlarmOverTemp;
  EXPECT_EQ(evt1_bits(s), 1u << 1);
  s = normal_parallel();
  s.modules[0].alarms->temp_min_c = -25;
  EXPECT_EQ(evt1_bits(s), 1u << 3);
  s = normal_parallel();
  s.overcurrent_charge = true;
  EXPECT_EQ(evt1_bits(s), 1u << 5);
  s = normal_parallel();
  s.overcurrent_discharge = true;
  EXPECT_EQ(evt1_bits(s), 1u << 7);
  s = normal_parallel();
  s.ov_error = true;
  EXPECT_EQ(evt1_bits(s), 1u << 9);
  s = normal_parallel();
  s.discharge_error = true;
  EXPECT_EQ(evt1_bits(s), 1u << 11);
  s = normal_parallel();
  s.modules[1].alarms->bits = bus::kAlarmCellUnbalance;
  EXPECT_EQ(evt1_bits(s), 1u << 17);
  s = normal_parallel();
  s.topology_error = TopologyError::gap;
  EXPECT_EQ(evt1_bits(s), 1u << 28);
  EXPECT_EQ(u32_802(build_sunspec_image(s, ident()), 26), 1u << 28);
}

TEST(SunSpecMap, SeriesVoltagesAndDisconnect) {
  auto s = ij4001c_series7();
  s.host_disconnect = true;
  const RegisterImage img = build_sunspec_image(s, ident());
  EXPECT_EQ(p802(img, 34), 39900);  // 399.00 V fits at SF -2
  EXPECT_EQ(p802(img, 35), 40320);
  EXPECT_EQ(p802(img, 2), 240);    // a string of 24 Ah modules has 24 Ah
  EXPECT_EQ(p802(img, 3), 8602);   // 24 Ah x 7 x 51.2 V
  EXPECT_EQ(s802(img, 47), 3990);  // W
  EXPECT_EQ(p802(img, 16), 4);     // CHARGING
  EXPECT_EQ(p802(img, 50), 2);     // SetOp DISCONNECT reads back
}

}  // namespace
}  // namespace essd::host::test
