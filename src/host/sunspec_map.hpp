// SPDX-License-Identifier: MIT
#pragma once
// Sans-IO SunSpec register image (docs/host-links.md "RS232C terminal"):
// 40000 "SunS", model 1 (common, length 66), model 802 (battery base,
// length 62), end marker 0xFFFF/0. Addresses are Modbus PDU addresses.
#include <array>
#include <cstdint>
#include <string>

#include "essd/system_state.hpp"

namespace essd::host {

inline constexpr std::uint16_t kSunSpecBase = 40000;
inline constexpr std::uint16_t kModel1Addr = 40002;  // ID register of model 1
inline constexpr std::uint16_t kModel1Len = 66;
inline constexpr std::uint16_t kModel802Addr = kModel1Addr + 2 + kModel1Len;  // 40070
inline constexpr std::uint16_t kModel802Len = 62;
inline constexpr std::uint16_t kEndAddr = kModel802Addr + 2 + kModel802Len;  // 40134
inline constexpr std::size_t kSunSpecRegs = kEndAddr + 2 - kSunSpecBase;     // 136

// SunSpec "not implemented" values.
inline constexpr std::uint16_t kNotImplU16 = 0xFFFF;
inline constexpr std::uint16_t kNotImplI16 = 0x8000;
inline constexpr std::uint32_t kNotImplU32 = 0xFFFFFFFF;

/// Model 1 point offsets from the model start (0 = ID, 1 = L).
namespace m1 {
inline constexpr int kMn = 2, kMd = 18, kOpt = 34, kVr = 42, kSN = 50, kDA = 66, kPad = 67;
}

/// Model 802 point offsets from the model start (0 = ID, 1 = L).
namespace m802 {
enum : int {
  AHRtg = 2,
  WHRtg,
  WChaRteMax,
  WDisChaRteMax,
  DisChaRte,
  SoCMax,
  SoCMin,
  SocRsvMax,
  SoCRsvMin,
  SoC,
  DoD,
  SoH,
  NCyc /* u32: 14-15 */,
  ChaSt = 16,
  LocRemCtl,
  Hb,
  CtrlHb,
  AlmRst,
  Typ,
  State,
  StateVnd,
  WarrDt /* u32: 24-25 */,
  Evt1 = 26,
  Evt2 = 28,
  EvtVnd1 = 30,
  EvtVnd2 = 32,
  V = 34,
  VMax,
  VMin,
  CellVMax,
  CellVMaxStr,
  CellVMaxMod,
  CellVMin,
  CellVMinStr,
  CellVMinMod,
  CellVAvg,
  A,
  AChaMax,
  ADisChaMax,
  W,
  ReqInvState,
  ReqW,
  SetOp,
  SetInvState,
  AHRtg_SF,
  WHRtg_SF,
  WChaDisChaMax_SF,
  DisChaRte_SF,
  SoC_SF,
  DoD_SF,
  SoH_SF,
  V_SF,
  CellV_SF,
  A_SF,
  AMax_SF,
  W_SF
};
}

// Scale factors published (powers of ten).
namespace sf {
inline constexpr int kAHRtg = -1, kWHRtg = 0, kWChaDisChaMax = 0, kSoC = -1, kDoD = -1, kSoH = -1,
                     kV = -2, kCellV = -3, kA = -1, kAMax = -1, kW = 0;
}

// Enumerations.
enum class ChargeStatus : std::uint16_t { off = 1, empty, discharging, charging, full, holding };
enum class BatState : std::uint16_t {
  disconnected = 1,
  initializing = 2,
  connected = 3,
  standby = 4,
  soc_protection = 5,
  fault = 99
};
inline constexpr std::uint16_t kTypLithiumIon = 4;
inline constexpr std::uint16_t kLocRemLocal = 1;
inline constexpr std::uint16_t kSetOpConnect = 1;
inline constexpr std::uint16_t kSetOpDisconnect = 2;

// Evt1 bits.
namespace evt1 {
inline constexpr std::uint32_t kCommError = 1u << 0, kOverTemp = 1u << 1, kUnderTemp = 1u << 3,
                               kOverChargeCurrent = 1u << 5, kOverDischargeCurrent = 1u << 7,
                               kOverVoltage = 1u << 9, kUnderVoltage = 1u << 11,
                               kImbalance = 1u << 17, kConfiguration = 1u << 28;
}

struct SunSpecIdentity {
  std::string manufacturer = "Sony";  // Mn (config)
  std::string model = "IJ1001C";      // Md: controller model
  std::string options;                // Opt
  std::string version;                // Vr: daemon version
  std::string serial;                 // SN (config)
  std::uint16_t device_address = 1;   // DA: Modbus unit id
};

/// Values written by the host that read back (held by the slave).
struct SunSpecWritable {
  std::uint16_t ctrl_hb = 0;
};

using RegisterImage = std::array<std::uint16_t, kSunSpecRegs>;

ChargeStatus charge_status(const SystemSnapshot& s);
BatState battery_state(const SystemSnapshot& s);
std::uint32_t evt1_bits(const SystemSnapshot& s);

RegisterImage build_sunspec_image(const SystemSnapshot& s, const SunSpecIdentity& id,
                                  const SunSpecWritable& w = {});

/// Index into a RegisterImage of a model 802 point.
constexpr std::size_t reg802(int offset) {
  return static_cast<std::size_t>(kModel802Addr - kSunSpecBase) + static_cast<std::size_t>(offset);
}

}  // namespace essd::host
