// SPDX-License-Identifier: MIT
// Module bus protocol v1 codec. Checks run in a fixed order so that a frame
// with several faults is always counted under the same reason: length,
// protocol version, multiplex index, reserved bits, field ranges.
#include "essd/module_bus.hpp"

namespace essd::bus {
namespace {

std::uint16_t u16(const CanFrame& f, int i) {
  return static_cast<std::uint16_t>(f.data[i] | (f.data[i + 1] << 8));
}
std::int16_t i16(const CanFrame& f, int i) {
  return static_cast<std::int16_t>(u16(f, i));
}
void put16(CanFrame& f, int i, std::uint16_t v) {
  f.data[i] = static_cast<std::uint8_t>(v & 0xFF);
  f.data[i + 1] = static_cast<std::uint8_t>(v >> 8);
}
CanFrame blank(std::uint32_t id) {
  CanFrame f;
  f.id = id;
  f.len = 8;
  return f;
}

DecodeResult invalid(DecodeError e, int address) {
  DecodeResult r;
  r.error = e;
  r.address = address;
  return r;
}
template <class M>
DecodeResult valid(M m, int address) {
  DecodeResult r;
  r.message = std::move(m);
  r.address = address;
  return r;
}

DecodeResult decode_status(const CanFrame& f, std::uint8_t a) {
  if ((f.data[7] >> 4) != kProtocolVersion) return invalid(DecodeError::bad_version, a);
  if (f.data[6] & 0xF8) return invalid(DecodeError::reserved_bits, a);
  const std::uint8_t rsoc = f.data[4];
  if (rsoc > 100 && rsoc != kRsocUnknown) return invalid(DecodeError::out_of_range, a);
  Status m;
  m.address = a;
  m.voltage_10mv = u16(f, 0);
  m.current_100ma = i16(f, 2);
  m.rsoc = rsoc;
  m.state = static_cast<std::uint8_t>(f.data[5] >> 4);
  m.prev_state = static_cast<std::uint8_t>(f.data[5] & 0x0F);
  m.chg = f.data[6] & 0x01;
  m.dis = f.data[6] & 0x02;
  m.ov = f.data[6] & 0x04;
  m.alive = static_cast<std::uint8_t>(f.data[7] & 0x0F);
  return valid(m, a);
}

DecodeResult decode_alarms(const CanFrame& f, std::uint8_t a) {
  Alarms m;
  m.address = a;
  m.bits = u16(f, 0);
  if (m.bits & 0x00FF) return invalid(DecodeError::reserved_bits, a);
  m.temp_avg_decic = i16(f, 2);
  m.temp_min_c = static_cast<std::int8_t>(f.data[4]);
  m.temp_max_c = static_cast<std::int8_t>(f.data[5]);
  m.cycles = u16(f, 6);
  return valid(m, a);
}

DecodeResult decode_cell_v(const CanFrame& f, std::uint8_t a) {
  CellVoltages m;
  m.address = a;
  m.index = f.data[0];
  if (m.index % 3 != 0 || m.index > 15) return invalid(DecodeError::bad_mux, a);
  if (f.data[7] != 0) return invalid(DecodeError::reserved_bits, a);
  for (int i = 0; i < 3; ++i) m.mv[i] = u16(f, 1 + 2 * i);
  // A module has 16 cell blocks: the last frame carries block 15 only.
  for (int i = 0; i < 3; ++i) {
    if (m.index + i >= kCellBlocks && m.mv[i] != kNoCell)
      return invalid(DecodeError::out_of_range, a);
  }
  return valid(m, a);
}

DecodeResult decode_cell_t(const CanFrame& f, std::uint8_t a) {
  CellTemps m;
  m.address = a;
  m.index = f.data[0];
  if (m.index % 7 != 0) return invalid(DecodeError::bad_mux, a);
  for (int i = 0; i < 7; ++i) m.c[i] = static_cast<std::int8_t>(f.data[1 + i]);
  return valid(m, a);
}

DecodeResult decode_info(const CanFrame& f, std::uint8_t a) {
  Info m;
  m.address = a;
  m.firmware = u16(f, 0);
  m.nominal_dah = u16(f, 2);
  m.full_dah = u16(f, 4);
  m.cell_blocks = f.data[6];
  m.serial_byte = f.data[7];
  if (m.cell_blocks == 0 || m.cell_blocks > kCellBlocks)
    return invalid(DecodeError::out_of_range, a);
  return valid(m, a);
}

DecodeResult decode_ctrl(const CanFrame& f) {
  if ((f.data[1] & 0xFC) || f.data[3] || f.data[4] || f.data[5] || f.data[6] || f.data[7]) {
    return invalid(DecodeError::reserved_bits, -1);
  }
  if (f.data[0] > kCtrlShutdown) return invalid(DecodeError::out_of_range, -1);
  Ctrl m;
  m.mode = f.data[0];
  m.charge_closed = f.data[1] & 0x01;
  m.discharge_closed = f.data[1] & 0x02;
  m.alive = f.data[2];
  return valid(m, -1);
}

}  // namespace

DecodeResult decode(const CanFrame& f) {
  if (f.extended || f.remote) return invalid(DecodeError::not_standard, -1);
  if (f.id == kCtrlId) {
    if (f.len != 8) return invalid(DecodeError::bad_length, -1);
    return decode_ctrl(f);
  }
  if (f.id < kStatusBase || f.id >= kInfoBase + 0x10) return invalid(DecodeError::unknown_id, -1);
  const auto a = static_cast<std::uint8_t>(f.id & 0x0F);
  if (f.len != 8) return invalid(DecodeError::bad_length, a);
  switch (f.id & 0x7F0) {
    case kStatusBase:
      return decode_status(f, a);
    case kAlarmsBase:
      return decode_alarms(f, a);
    case kCellVBase:
      return decode_cell_v(f, a);
    case kCellTBase:
      return decode_cell_t(f, a);
    case kInfoBase:
      return decode_info(f, a);
    default:
      return invalid(DecodeError::unknown_id, -1);
  }
}

CanFrame encode(const Status& m) {
  CanFrame f = blank(kStatusBase + (m.address & 0x0F));
  put16(f, 0, m.voltage_10mv);
  put16(f, 2, static_cast<std::uint16_t>(m.current_100ma));
  f.data[4] = m.rsoc;
  f.data[5] = static_cast<std::uint8_t>(((m.state & 0x0F) << 4) | (m.prev_state & 0x0F));
  f.data[6] = static_cast<std::uint8_t>((m.chg ? 1 : 0) | (m.dis ? 2 : 0) | (m.ov ? 4 : 0));
  f.data[7] = static_cast<std::uint8_t>((kProtocolVersion << 4) | (m.alive & 0x0F));
  return f;
}

CanFrame encode(const Alarms& m) {
  CanFrame f = blank(kAlarmsBase + (m.address & 0x0F));
  put16(f, 0, m.bits);
  put16(f, 2, static_cast<std::uint16_t>(m.temp_avg_decic));
  f.data[4] = static_cast<std::uint8_t>(m.temp_min_c);
  f.data[5] = static_cast<std::uint8_t>(m.temp_max_c);
  put16(f, 6, m.cycles);
  return f;
}

CanFrame encode(const CellVoltages& m) {
  CanFrame f = blank(kCellVBase + (m.address & 0x0F));
  f.data[0] = m.index;
  for (int i = 0; i < 3; ++i) put16(f, 1 + 2 * i, m.mv[i]);
  return f;
}

CanFrame encode(const CellTemps& m) {
  CanFrame f = blank(kCellTBase + (m.address & 0x0F));
  f.data[0] = m.index;
  for (int i = 0; i < 7; ++i) f.data[1 + i] = static_cast<std::uint8_t>(m.c[i]);
  return f;
}

CanFrame encode(const Info& m) {
  CanFrame f = blank(kInfoBase + (m.address & 0x0F));
  put16(f, 0, m.firmware);
  put16(f, 2, m.nominal_dah);
  put16(f, 4, m.full_dah);
  f.data[6] = m.cell_blocks;
  f.data[7] = m.serial_byte;
  return f;
}

CanFrame encode(const Ctrl& m) {
  CanFrame f = blank(kCtrlId);
  f.data[0] = m.mode;
  f.data[1] = static_cast<std::uint8_t>((m.charge_closed ? 1 : 0) | (m.discharge_closed ? 2 : 0));
  f.data[2] = m.alive;
  return f;
}

CanFrame encode(const Message& m) {
  return std::visit([](const auto& v) { return encode(v); }, m);
}

std::string_view state_text(std::uint8_t state) {
  switch (state & 0x0F) {
    case kPreCharge:
      return "Pre Charge";
    case kInitial:
      return "Initial";
    case kNormalCharge:
      return "Normal Chg";
    case kChargeTerminate:
      return "Terminate";
    case kNormalDischarge:
      return "Normal Dis";
    case kOverVoltage:
      return "Over Volt";
    case kOverDischarge:
      return "Over Dis";
    case kOverTempCharge:
      return "Over Temp C";
    case kOverCurrentCharge:
      return "Over Curr C";
    case kOverTempDischarge:
      return "Over Temp D";
    case kOverCurrentDischarge:
      return "Over Curr D";
    case kCellUnbalance:
      return "Unbalance";
    case kChargeSuspend:
      return "Chg Suspend";
    default:
      return "";  // 0 standby, 8 and F reserved: no text
  }
}

std::string_view alarm_text(std::uint16_t bits) {
  if (bits & kAlarmOverVoltage) return "Over Volt";
  if (bits & kAlarmChargeTerminate) return "Terminate";
  if (bits & kAlarmUnderVoltage) return "Under Vol";
  if (bits & kAlarmOverCurrent) return "Over Curr";
  if (bits & kAlarmOverTemp) return "Over Temp";
  if (bits & kAlarmReserved0400) return "0";
  if (bits & kAlarmResister) return "Resister";
  if (bits & kAlarmCellUnbalance) return "Unbalance";
  return "";
}

}  // namespace essd::bus
