// SPDX-License-Identifier: MIT
// docs/codec.md "Timing and validity, controller side": every invalid-frame rule with its named
// reason, plus frames that are not ours (unknown ids, extended, remote).
#include <gtest/gtest.h>

#include <vector>

#include "essd/module_bus.hpp"

namespace essd::bus {
namespace {

CanFrame good_status(std::uint8_t a = 2) {
  return encode(Status{.address = a,
                       .voltage_10mv = 5000,
                       .rsoc = 50,
                       .state = 3,
                       .chg = true,
                       .dis = true,
                       .ov = true,
                       .alive = 7});
}
CanFrame good_alarms(std::uint8_t a = 2) {
  return encode(Alarms{.address = a, .cycles = 3});
}
CanFrame good_cell_v(std::uint8_t a = 2) {
  return encode(CellVoltages{.address = a, .index = 3, .mv = {3300, 3301, 3302}});
}
CanFrame good_cell_t(std::uint8_t a = 2) {
  return encode(CellTemps{.address = a, .index = 7});
}
CanFrame good_info(std::uint8_t a = 2) {
  return encode(Info{.address = a,
                     .firmware = 0x0102,
                     .nominal_dah = 240,
                     .full_dah = 230,
                     .cell_blocks = 16,
                     .serial_byte = 0x5A});
}
CanFrame good_ctrl() {
  return encode(Ctrl{.mode = 0, .charge_closed = true, .alive = 9});
}

std::vector<CanFrame> all_good() {
  return {good_status(), good_alarms(), good_cell_v(), good_cell_t(), good_info(), good_ctrl()};
}

void expect_invalid(const CanFrame& f, DecodeError e, int address) {
  const auto r = decode(f);
  EXPECT_FALSE(r.ok()) << format_frame(f);
  EXPECT_FALSE(r.message.has_value());
  EXPECT_EQ(to_string(r.error), to_string(e)) << format_frame(f);
  EXPECT_EQ(r.address, address) << format_frame(f);
}

TEST(CodecValidity, BaselineFramesAreValid) {
  for (const auto& f : all_good()) EXPECT_TRUE(decode(f).ok()) << format_frame(f);
}

TEST(CodecValidity, LengthNot8ForEveryId) {
  for (auto f : all_good()) {
    const int address = f.id == kCtrlId ? -1 : static_cast<int>(f.id & 0x0F);
    for (std::uint8_t len = 0; len < 8; ++len) {
      f.len = len;
      expect_invalid(f, DecodeError::bad_length, address);
    }
  }
}

TEST(CodecValidity, StatusVersionNot1) {
  for (int v : {0, 2, 3, 0xF}) {
    auto f = good_status(4);
    f.data[7] = static_cast<std::uint8_t>((v << 4) | (f.data[7] & 0x0F));
    expect_invalid(f, DecodeError::bad_version, 4);
  }
}

TEST(CodecValidity, StatusRsocRange) {
  for (int rsoc = 0; rsoc <= 255; ++rsoc) {
    auto f = good_status(5);
    f.data[4] = static_cast<std::uint8_t>(rsoc);
    if (rsoc <= 100 || rsoc == 0xFF) {
      ASSERT_TRUE(decode(f).ok()) << rsoc;
      EXPECT_EQ(std::get<Status>(*decode(f).message).rsoc, rsoc);
    } else {
      expect_invalid(f, DecodeError::out_of_range, 5);
    }
  }
}

TEST(CodecValidity, StatusReservedSignalBits) {
  for (int bit = 3; bit < 8; ++bit) {
    auto f = good_status(6);
    f.data[6] |= static_cast<std::uint8_t>(1u << bit);
    expect_invalid(f, DecodeError::reserved_bits, 6);
  }
  for (int lines = 0; lines < 8; ++lines) {  // bits 0-2 are all meaningful
    auto f = good_status(6);
    f.data[6] = static_cast<std::uint8_t>(lines);
    EXPECT_TRUE(decode(f).ok()) << lines;
  }
}

TEST(CodecValidity, AlarmsReservedLowByte) {
  for (int bit = 0; bit < 8; ++bit) {
    auto f = good_alarms(7);
    f.data[0] = static_cast<std::uint8_t>(1u << bit);
    expect_invalid(f, DecodeError::reserved_bits, 7);
  }
  for (int bit = 8; bit < 16; ++bit) {  // the defined bits, 0x0400 included (text "0")
    auto f = good_alarms(7);
    f.data[1] = static_cast<std::uint8_t>(1u << (bit - 8));
    EXPECT_TRUE(decode(f).ok()) << bit;
  }
}

TEST(CodecValidity, CellVoltageIndex) {
  for (int index = 0; index < 256; ++index) {
    auto f = good_cell_v(8);
    f.data[0] = static_cast<std::uint8_t>(index);
    if (index == 15) f.data[3] = f.data[4] = f.data[5] = f.data[6] = 0xFF;  // blocks 16, 17 absent
    if (index % 3 == 0 && index <= 15) {
      EXPECT_TRUE(decode(f).ok()) << index;
    } else {
      expect_invalid(f, DecodeError::bad_mux, 8);
    }
  }
}

TEST(CodecValidity, CellVoltageBlocksBeyond16AndReservedByte) {
  auto f = good_cell_v(9);
  f.data[0] = 15;  // blocks 16 and 17 do not exist: they must read 0xFFFF
  expect_invalid(f, DecodeError::out_of_range, 9);
  auto g = good_cell_v(9);
  g.data[7] = 1;
  expect_invalid(g, DecodeError::reserved_bits, 9);
}

TEST(CodecValidity, CellTempIndex) {
  for (int index = 0; index < 256; ++index) {
    auto f = good_cell_t(10);
    f.data[0] = static_cast<std::uint8_t>(index);
    if (index % 7 == 0) {
      EXPECT_TRUE(decode(f).ok()) << index;
    } else {
      expect_invalid(f, DecodeError::bad_mux, 10);
    }
  }
}

TEST(CodecValidity, CtrlModeAndReservedBytes) {
  for (int mode = 0; mode < 256; ++mode) {
    auto f = good_ctrl();
    f.data[0] = static_cast<std::uint8_t>(mode);
    if (mode <= 2) {
      EXPECT_TRUE(decode(f).ok()) << mode;
    } else {
      expect_invalid(f, DecodeError::out_of_range, -1);
    }
  }
  for (int bit = 2; bit < 8; ++bit) {
    auto f = good_ctrl();
    f.data[1] |= static_cast<std::uint8_t>(1u << bit);
    expect_invalid(f, DecodeError::reserved_bits, -1);
  }
  for (int byte = 3; byte < 8; ++byte) {
    auto f = good_ctrl();
    f.data[static_cast<std::size_t>(byte)] = 0x01;
    expect_invalid(f, DecodeError::reserved_bits, -1);
  }
}

TEST(CodecValidity, UnknownIdentifiers) {
  for (std::uint32_t id :
       {0x000u, 0x07Fu, 0x081u, 0x0FFu, 0x150u, 0x15Fu, 0x200u, 0x305u, 0x7FFu}) {
    auto f = good_status();
    f.id = id;
    expect_invalid(f, DecodeError::unknown_id, -1);
  }
  // Every identifier in 0x100-0x14F belongs to the protocol and carries its address.
  for (std::uint32_t id = 0x100; id < 0x150; ++id) {
    const auto r = decode(CanFrame::make(id, {}));
    EXPECT_NE(to_string(r.error), "unknown_id") << std::hex << id;
    EXPECT_EQ(r.address, static_cast<int>(id & 0x0F));
  }
}

TEST(CodecValidity, ExtendedAndRemoteFramesAreNotStandard) {
  for (auto f : all_good()) {
    auto ext = f;
    ext.extended = true;
    expect_invalid(ext, DecodeError::not_standard, -1);
    auto rtr = f;
    rtr.remote = true;
    expect_invalid(rtr, DecodeError::not_standard, -1);
  }
}

TEST(CodecValidity, SeveralFaultsAlwaysCountUnderTheSameReason) {
  auto f = good_status(1);
  f.data[7] = 0x20;  // version 2
  f.data[6] = 0xFF;  // reserved bits
  f.data[4] = 200;   // RSOC out of range
  expect_invalid(f, DecodeError::bad_version, 1);
  f.data[7] = 0x10;
  expect_invalid(f, DecodeError::reserved_bits, 1);
}

TEST(CodecValidity, ReasonNames) {
  EXPECT_EQ(to_string(DecodeError::bad_length), "bad_length");
  EXPECT_EQ(to_string(DecodeError::bad_version), "bad_version");
  EXPECT_EQ(to_string(DecodeError::out_of_range), "out_of_range");
  EXPECT_EQ(to_string(DecodeError::bad_mux), "bad_mux");
  EXPECT_EQ(to_string(DecodeError::reserved_bits), "reserved_bits");
  EXPECT_EQ(to_string(DecodeError::unknown_id), "unknown_id");
  EXPECT_EQ(to_string(DecodeError::not_standard), "not_standard");
}

}  // namespace
}  // namespace essd::bus
