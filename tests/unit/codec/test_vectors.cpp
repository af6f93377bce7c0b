// SPDX-License-Identifier: MIT
// docs/codec.md "Test vectors", byte for byte in both directions.
#include <gtest/gtest.h>

#include "essd/module_bus.hpp"

namespace essd::bus {
namespace {

template <class M>
M decode_as(const CanFrame& f) {
  const auto r = decode(f);
  EXPECT_TRUE(r.ok()) << format_frame(f) << " -> " << to_string(r.error);
  EXPECT_TRUE(std::holds_alternative<M>(*r.message));
  return std::get<M>(*r.message);
}

TEST(CodecVectors, Status0x103) {
  const auto f = CanFrame::make(0x103, {0xC8, 0x14, 0x10, 0xFF, 0x50, 0x53, 0x07, 0x13});
  const auto m = decode_as<Status>(f);
  EXPECT_EQ(decode(f).address, 3);
  EXPECT_EQ(m.address, 3);
  EXPECT_EQ(m.voltage_10mv, 5320);   // 53.20 V
  EXPECT_EQ(m.current_100ma, -240);  // -24.0 A
  EXPECT_EQ(m.rsoc, 80);
  EXPECT_EQ(m.state, kNormalDischarge);
  EXPECT_EQ(m.prev_state, kNormalCharge);
  EXPECT_TRUE(m.chg);
  EXPECT_TRUE(m.dis);
  EXPECT_TRUE(m.ov);
  EXPECT_EQ(m.alive, 3);

  Status s{.address = 3,
           .voltage_10mv = 5320,
           .current_100ma = -240,
           .rsoc = 80,
           .state = 5,
           .prev_state = 3,
           .chg = true,
           .dis = true,
           .ov = true,
           .alive = 3};
  EXPECT_EQ(encode(s), f);
  EXPECT_EQ(format_frame(encode(s)), "103#C81410FF50530713");
}

TEST(CodecVectors, Alarms0x110) {
  const auto f = CanFrame::make(0x110, {0x00, 0x18, 0xFA, 0x00, 0x18, 0x1B, 0x39, 0x05});
  const auto m = decode_as<Alarms>(f);
  EXPECT_EQ(m.address, 0);
  EXPECT_EQ(m.bits, kAlarmOverCurrent | kAlarmOverTemp);
  EXPECT_EQ(m.bits, 0x1800);
  EXPECT_EQ(alarm_text(m.bits), "Over Curr");
  EXPECT_EQ(m.temp_avg_decic, 250);
  EXPECT_EQ(m.temp_min_c, 24);
  EXPECT_EQ(m.temp_max_c, 27);
  EXPECT_EQ(m.cycles, 1337);
  Alarms a{.address = 0,
           .bits = 0x1800,
           .temp_avg_decic = 250,
           .temp_min_c = 24,
           .temp_max_c = 27,
           .cycles = 1337};
  EXPECT_EQ(encode(a), f);
}

TEST(CodecVectors, CellV0x12F) {
  const auto f = CanFrame::make(0x12F, {0x0F, 0x80, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0x00});
  const auto m = decode_as<CellVoltages>(f);
  EXPECT_EQ(m.address, 15);
  EXPECT_EQ(m.index, 15);
  EXPECT_EQ(m.mv[0], 3200);
  EXPECT_EQ(m.mv[1], kNoCell);
  EXPECT_EQ(m.mv[2], kNoCell);
  CellVoltages c{.address = 15, .index = 15, .mv = {3200, kNoCell, kNoCell}};
  EXPECT_EQ(encode(c), f);
}

TEST(CodecVectors, Ctrl0x080) {
  const auto f = CanFrame::make(0x080, {0x01, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x00, 0x00});
  const auto r = decode(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.address, -1);
  const auto m = std::get<Ctrl>(*r.message);
  EXPECT_EQ(m.mode, kCtrlMaintenance);
  EXPECT_FALSE(m.charge_closed);
  EXPECT_FALSE(m.discharge_closed);
  EXPECT_EQ(m.alive, 42);
  EXPECT_EQ(encode(Ctrl{.mode = 1, .alive = 42}), f);
  EXPECT_EQ(encode(Message{Ctrl{.mode = 1, .alive = 42}}), f);
}

TEST(CodecTexts, StateTextsFromTheManual) {
  const char* expected[16] = {"",
                              "Pre Charge",
                              "Initial",
                              "Normal Chg",
                              "Terminate",
                              "Normal Dis",
                              "Over Volt",
                              "Over Dis",
                              "",
                              "Over Temp C",
                              "Over Curr C",
                              "Over Temp D",
                              "Over Curr D",
                              "Unbalance",
                              "Chg Suspend",
                              ""};
  for (int s = 0; s < 16; ++s) {
    EXPECT_EQ(state_text(static_cast<std::uint8_t>(s)), expected[s]) << "state " << s;
  }
}

TEST(CodecTexts, AlarmTextIsHighestSetBit) {
  const struct {
    std::uint16_t bits;
    const char* text;
  } cases[] = {
      {0x0000, ""},          {0x8000, "Over Volt"}, {0x4000, "Terminate"}, {0x2000, "Under Vol"},
      {0x1000, "Over Curr"}, {0x0800, "Over Temp"}, {0x0400, "0"},         {0x0200, "Resister"},
      {0x0100, "Unbalance"}, {0x1800, "Over Curr"}, {0xFF00, "Over Volt"}, {0x0300, "Resister"},
      {0x0900, "Over Temp"}, {0x6000, "Terminate"},
  };
  for (const auto& c : cases) EXPECT_EQ(alarm_text(c.bits), c.text) << std::hex << c.bits;
}

}  // namespace
}  // namespace essd::bus
