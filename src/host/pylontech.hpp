// SPDX-License-Identifier: MIT
#pragma once
// Sans-IO encoder of the Pylontech-compatible low-voltage battery protocol
// (docs/host-links.md "CAN terminal"). One call yields the frames of one period;
// fields that do not fit their 16-bit type saturate (never wrap) and are
// named in the result so that the link can log an event once.
#include <cstdint>
#include <string>
#include <vector>

#include "essd/can_frame.hpp"
#include "essd/config.hpp"
#include "essd/system_state.hpp"

namespace essd::host {

inline constexpr std::uint32_t kPylonLimitsId = 0x351;
inline constexpr std::uint32_t kPylonSocId = 0x355;
inline constexpr std::uint32_t kPylonMeasId = 0x356;
inline constexpr std::uint32_t kPylonAlarmId = 0x359;
inline constexpr std::uint32_t kPylonRequestId = 0x35C;
inline constexpr std::uint32_t kPylonNameId = 0x35E;
inline constexpr std::uint32_t kVictronModulesId = 0x372;
inline constexpr std::uint32_t kVictronCellsId = 0x373;
inline constexpr std::uint32_t kVictronCapacityId = 0x379;
inline constexpr std::uint32_t kInverterKeepaliveId = 0x305;

struct PylontechOptions {
  std::string manufacturer_name = "PYLON";  // 0x35E, at most 8 characters, space padded
  bool victron_frames = false;              // add 0x372/0x373/0x379

  static PylontechOptions from(const HostCanConfig& c) {
    return PylontechOptions{c.manufacturer_name, c.victron_frames};
  }
};

struct PylontechEncoding {
  std::vector<CanFrame> frames;
  /// Fields that saturated in this encoding, e.g. "0x356.voltage".
  std::vector<std::string> saturated;
};

PylontechEncoding encode_pylontech_checked(const SystemSnapshot& s, const PylontechOptions& o);

/// The frames only; `saturated` (optional) receives the saturated field names.
std::vector<CanFrame> encode_pylontech(const SystemSnapshot& s, const PylontechOptions& o,
                                       std::vector<std::string>* saturated = nullptr);

}  // namespace essd::host
