// SPDX-License-Identifier: MIT
#pragma once
// Module bus protocol v1 (docs/codec.md): typed messages and the
// sans-IO codec. decode() never throws and never touches state; an invalid
// frame comes back with a named reason so the registry can count it.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "essd/can_frame.hpp"

namespace essd::bus {

inline constexpr std::uint32_t kStatusBase = 0x100;
inline constexpr std::uint32_t kAlarmsBase = 0x110;
inline constexpr std::uint32_t kCellVBase = 0x120;
inline constexpr std::uint32_t kCellTBase = 0x130;
inline constexpr std::uint32_t kInfoBase = 0x140;
inline constexpr std::uint32_t kCtrlId = 0x080;
inline constexpr std::uint8_t kProtocolVersion = 1;
inline constexpr int kMaxModules = 16;
inline constexpr int kCellBlocks = 16;
inline constexpr std::uint16_t kNoCell = 0xFFFF;
inline constexpr std::int8_t kNoSensor = 0x7F;
inline constexpr std::uint8_t kRsocUnknown = 0xFF;

// Alarm bits (ALARMS bytes 0-1).
inline constexpr std::uint16_t kAlarmOverVoltage = 0x8000;
inline constexpr std::uint16_t kAlarmChargeTerminate = 0x4000;
inline constexpr std::uint16_t kAlarmUnderVoltage = 0x2000;
inline constexpr std::uint16_t kAlarmOverCurrent = 0x1000;
inline constexpr std::uint16_t kAlarmOverTemp = 0x0800;
inline constexpr std::uint16_t kAlarmReserved0400 = 0x0400;
inline constexpr std::uint16_t kAlarmResister = 0x0200;
inline constexpr std::uint16_t kAlarmCellUnbalance = 0x0100;

// Module state codes (STATUS byte 5 nibbles).
enum StateCode : std::uint8_t {
  kStandby = 0x0,
  kPreCharge = 0x1,
  kInitial = 0x2,
  kNormalCharge = 0x3,
  kChargeTerminate = 0x4,
  kNormalDischarge = 0x5,
  kOverVoltage = 0x6,
  kOverDischarge = 0x7,
  kOverTempCharge = 0x9,
  kOverCurrentCharge = 0xA,
  kOverTempDischarge = 0xB,
  kOverCurrentDischarge = 0xC,
  kCellUnbalance = 0xD,
  kChargeSuspend = 0xE,
};

struct Status {  // 0x100 + A
  std::uint8_t address = 0;
  std::uint16_t voltage_10mv = 0;    // 10 mV per bit
  std::int16_t current_100ma = 0;    // 100 mA per bit, + = charging
  std::uint8_t rsoc = kRsocUnknown;  // 0..100, 0xFF unknown
  std::uint8_t state = 0;            // 0..15
  std::uint8_t prev_state = 0;       // 0..15
  bool chg = false;                  // 1 = charge permitted
  bool dis = false;                  // 1 = discharge permitted
  bool ov = false;                   // 1 = no over-voltage
  std::uint8_t alive = 0;            // 0..15
  bool operator==(const Status&) const = default;
};

struct Alarms {  // 0x110 + A
  std::uint8_t address = 0;
  std::uint16_t bits = 0;
  std::int16_t temp_avg_decic = 0;  // 0.1 degC per bit
  std::int8_t temp_min_c = 0;
  std::int8_t temp_max_c = 0;
  std::uint16_t cycles = 0;
  bool operator==(const Alarms&) const = default;
};

struct CellVoltages {  // 0x120 + A, multiplexed
  std::uint8_t address = 0;
  std::uint8_t index = 0;  // 0, 3, 6, 9, 12, 15
  std::array<std::uint16_t, 3> mv{kNoCell, kNoCell, kNoCell};
  bool operator==(const CellVoltages&) const = default;
};

struct CellTemps {  // 0x130 + A, multiplexed
  std::uint8_t address = 0;
  std::uint8_t index = 0;  // 0, 7, 14, ...
  std::array<std::int8_t, 7> c{kNoSensor, kNoSensor, kNoSensor, kNoSensor,
                               kNoSensor, kNoSensor, kNoSensor};
  bool operator==(const CellTemps&) const = default;
};

struct Info {  // 0x140 + A
  std::uint8_t address = 0;
  std::uint16_t firmware = 0;
  std::uint16_t nominal_dah = 0;  // 0.1 Ah per bit
  std::uint16_t full_dah = 0;     // 0.1 Ah per bit
  std::uint8_t cell_blocks = kCellBlocks;
  std::uint8_t serial_byte = 0;
  bool operator==(const Info&) const = default;
};

struct Ctrl {             // 0x080, from the controller
  std::uint8_t mode = 0;  // 0 normal, 1 maintenance, 2 shutdown request
  bool charge_closed = false;
  bool discharge_closed = false;
  std::uint8_t alive = 0;
  bool operator==(const Ctrl&) const = default;
};

inline constexpr std::uint8_t kCtrlNormal = 0;
inline constexpr std::uint8_t kCtrlMaintenance = 1;
inline constexpr std::uint8_t kCtrlShutdown = 2;

using Message = std::variant<Status, Alarms, CellVoltages, CellTemps, Info, Ctrl>;

/// Why a frame was not accepted. The first five are the spec's invalid-frame
/// reasons (counted per module, names as in the API's invalid_frames);
/// the others are frames that are not ours at all (counted globally).
enum class DecodeError : std::uint8_t {
  bad_length,
  bad_version,
  out_of_range,
  bad_mux,
  reserved_bits,
  unknown_id,    // identifier not defined by the protocol
  not_standard,  // extended identifier, remote frame
};
inline constexpr int kInvalidReasonCount = 5;  // bad_length .. reserved_bits

constexpr std::string_view to_string(DecodeError e) {
  switch (e) {
    case DecodeError::bad_length:
      return "bad_length";
    case DecodeError::bad_version:
      return "bad_version";
    case DecodeError::out_of_range:
      return "out_of_range";
    case DecodeError::bad_mux:
      return "bad_mux";
    case DecodeError::reserved_bits:
      return "reserved_bits";
    case DecodeError::unknown_id:
      return "unknown_id";
    case DecodeError::not_standard:
      return "not_standard";
  }
  return "?";
}

struct DecodeResult {
  std::optional<Message> message;               // set when valid
  DecodeError error = DecodeError::unknown_id;  // meaningful when !message
  int address = -1;  // module address derived from the identifier, -1 if none
  bool ok() const { return message.has_value(); }
};

DecodeResult decode(const CanFrame& frame);

CanFrame encode(const Status& m);
CanFrame encode(const Alarms& m);
CanFrame encode(const CellVoltages& m);
CanFrame encode(const CellTemps& m);
CanFrame encode(const Info& m);
CanFrame encode(const Ctrl& m);
CanFrame encode(const Message& m);

/// Display texts from the manual (docs/panel.md "Display").
std::string_view state_text(std::uint8_t state);        // "" for 0, 8, F
std::string_view alarm_text(std::uint16_t alarm_bits);  // text of the highest set bit, "" if none

}  // namespace essd::bus
