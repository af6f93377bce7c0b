// SPDX-License-Identifier: MIT
#pragma once
// An independent decoder of the Pylontech-compatible frames, written from
// the table in docs/host-links.md (not from the encoder), so that the
// tests check the bytes against the spec rather than the code against itself.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "essd/can_frame.hpp"

namespace essd::host::test {

struct PylonView {
  // 0x351
  double cvl_v = -1, ccl_a = -1, dcl_a = -1, dvl_v = -1;
  // 0x355
  int soc = -1, soh = -1;
  // 0x356
  double voltage_v = 0, current_a = 0, temp_c = 0;
  // 0x359
  bool p_ov = false, p_uv = false, p_ot = false, p_ut = false, p_dis_oc = false;
  bool p_chg_oc = false, p_sys = false;
  bool w_ov = false, w_uv = false, w_ot = false, w_ut = false, w_dis_oc = false;
  bool w_chg_oc = false, w_sys = false;
  int modules = -1;
  std::string pn;
  std::uint8_t reserved_359 = 0;  // all bits the spec does not define, OR-ed
  // 0x35C
  bool charge_enable = false, discharge_enable = false, force_charge = false;
  std::uint8_t reserved_35c = 0;
  // 0x35E
  std::string name;
  // Victron
  std::optional<std::vector<int>> v372, v373;
  std::optional<int> v379;
  std::vector<std::uint32_t> ids;  // in order of appearance
};

inline int u16(const CanFrame& f, int at) {
  return f.data[at] | f.data[at + 1] << 8;
}
inline int i16(const CanFrame& f, int at) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(u16(f, at)));
}
inline bool bit(std::uint8_t b, int n) {
  return (b >> n) & 1;
}

inline PylonView decode_pylon(const std::vector<CanFrame>& frames) {
  PylonView v;
  for (const auto& f : frames) {
    EXPECT_FALSE(f.extended);
    EXPECT_FALSE(f.remote);
    v.ids.push_back(f.id);
    switch (f.id) {
      case 0x351:
        EXPECT_EQ(f.len, 8);
        v.cvl_v = u16(f, 0) / 10.0;
        v.ccl_a = i16(f, 2) / 10.0;
        v.dcl_a = i16(f, 4) / 10.0;
        v.dvl_v = u16(f, 6) / 10.0;
        break;
      case 0x355:
        EXPECT_EQ(f.len, 4);
        v.soc = u16(f, 0);
        v.soh = u16(f, 2);
        break;
      case 0x356:
        EXPECT_EQ(f.len, 6);
        v.voltage_v = i16(f, 0) / 100.0;
        v.current_a = i16(f, 2) / 10.0;
        v.temp_c = i16(f, 4) / 10.0;
        break;
      case 0x359: {
        EXPECT_EQ(f.len, 8);
        const std::uint8_t b0 = f.data[0], b1 = f.data[1], b2 = f.data[2], b3 = f.data[3];
        v.p_ov = bit(b0, 1), v.p_uv = bit(b0, 2), v.p_ot = bit(b0, 3), v.p_ut = bit(b0, 4);
        v.p_dis_oc = bit(b0, 7), v.p_chg_oc = bit(b1, 0), v.p_sys = bit(b1, 3);
        v.w_ov = bit(b2, 1), v.w_uv = bit(b2, 2), v.w_ot = bit(b2, 3), v.w_ut = bit(b2, 4);
        v.w_dis_oc = bit(b2, 7), v.w_chg_oc = bit(b3, 0), v.w_sys = bit(b3, 3);
        v.reserved_359 = static_cast<std::uint8_t>((b0 & 0x61) | (b1 & 0xF6) | (b2 & 0x61) |
                                                   (b3 & 0xF6) | f.data[7]);
        v.modules = f.data[4];
        v.pn = std::string{static_cast<char>(f.data[5]), static_cast<char>(f.data[6])};
        break;
      }
      case 0x35C:
        EXPECT_EQ(f.len, 2);
        v.charge_enable = bit(f.data[0], 7);
        v.discharge_enable = bit(f.data[0], 6);
        v.force_charge = bit(f.data[0], 5);
        v.reserved_35c = static_cast<std::uint8_t>((f.data[0] & 0x1F) | f.data[1]);
        break;
      case 0x35E:
        EXPECT_EQ(f.len, 8);
        v.name.assign(reinterpret_cast<const char*>(f.data.data()), 8);
        break;
      case 0x372:
        EXPECT_EQ(f.len, 8);
        v.v372 = std::vector<int>{u16(f, 0), u16(f, 2), u16(f, 4), u16(f, 6)};
        break;
      case 0x373:
        EXPECT_EQ(f.len, 8);
        v.v373 = std::vector<int>{u16(f, 0), u16(f, 2), u16(f, 4), u16(f, 6)};
        break;
      case 0x379:
        EXPECT_GE(f.len, 2);
        v.v379 = u16(f, 0);
        break;
      default:
        ADD_FAILURE() << "unexpected id " << f.id;
    }
  }
  return v;
}

}  // namespace essd::host::test
