// SPDX-License-Identifier: MIT
#include "host/modbus_rtu.hpp"

namespace essd::host {
namespace {

constexpr std::uint8_t kReadHolding = 0x03;
constexpr std::uint8_t kReadInput = 0x04;
constexpr std::uint8_t kWriteSingle = 0x06;
constexpr std::uint8_t kWriteMultiple = 0x10;

constexpr std::uint8_t kExIllegalFunction = 0x01;
constexpr std::uint8_t kExIllegalAddress = 0x02;
constexpr std::uint8_t kExIllegalValue = 0x03;

constexpr std::uint16_t kMaxReadQty = 125;  // Modbus application protocol limits
constexpr std::uint16_t kMaxWriteQty = 123;

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x & 0xFF));
}
bool crc_ok(const std::uint8_t* adu, std::size_t len) {
  if (len < 4) return false;
  const auto got = static_cast<std::uint16_t>(adu[len - 2] | adu[len - 1] << 8);
  return got == modbus_crc16(adu, len - 2);
}
/// Request length implied by the function code, 0 if not (yet) known.
std::size_t expected_request_len(const std::vector<std::uint8_t>& b) {
  if (b.size() < 2) return 0;
  switch (b[1]) {
    case kReadHolding:
    case kReadInput:
    case kWriteSingle:
      return 8;
    case kWriteMultiple:
      return b.size() < 7 ? 0 : 9u + b[6];
    default:
      return 0;
  }
}

}  // namespace

std::uint16_t modbus_crc16(const std::uint8_t* data, std::size_t len) {
  std::uint16_t crc = 0xFFFF;
  for (std::size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b)
      crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001)
                      : static_cast<std::uint16_t>(crc >> 1);
  }
  return crc;
}

void append_crc(std::vector<std::uint8_t>& adu) {
  const std::uint16_t crc = modbus_crc16(adu.data(), adu.size());
  adu.push_back(static_cast<std::uint8_t>(crc & 0xFF));
  adu.push_back(static_cast<std::uint8_t>(crc >> 8));
}

std::chrono::microseconds rtu_silence(int baud) {
  if (baud <= 0 || baud > 19200) return std::chrono::microseconds(1750);
  // 3.5 characters of 11 bits: 38.5e6 / baud microseconds, rounded up.
  return std::chrono::microseconds((38'500'000LL + baud - 1) / baud);
}

std::vector<std::vector<std::uint8_t>> RtuFramer::feed(const std::uint8_t* data, std::size_t len) {
  std::vector<std::vector<std::uint8_t>> out;
  if (overrun_) return out;  // discard until the line goes silent
  buf_.insert(buf_.end(), data, data + len);
  for (;;) {
    const std::size_t want = expected_request_len(buf_);
    if (want == 0 || buf_.size() < want || !crc_ok(buf_.data(), want)) break;
    out.emplace_back(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(want));
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(want));
  }
  if (buf_.size() > kRtuMaxAdu) {
    overrun_ = true;
    buf_.clear();
    buf_.shrink_to_fit();
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> RtuFramer::on_silence() {
  if (overrun_) {
    overrun_ = false;
    ++overruns_;
    return std::nullopt;
  }
  if (buf_.empty()) return std::nullopt;
  std::vector<std::uint8_t> frame;
  frame.swap(buf_);
  return frame;
}

ModbusSlave::ModbusSlave(ModbusSlaveOptions options) : options_(options) {}

std::vector<HostWrite> ModbusSlave::take_writes() {
  std::vector<HostWrite> w;
  w.swap(writes_);
  return w;
}

std::optional<std::vector<std::uint8_t>> ModbusSlave::handle(const std::uint8_t* adu,
                                                             std::size_t len) {
  if (adu == nullptr || len < 4 || len > kRtuMaxAdu) {
    ++counters_.malformed;
    return std::nullopt;
  }
  if (!crc_ok(adu, len)) {
    ++counters_.crc_errors;
    return std::nullopt;
  }
  const std::uint8_t unit = adu[0];
  if (unit != 0 && unit != options_.unit) {
    ++counters_.other_unit;
    return std::nullopt;
  }
  bool malformed = false;
  auto resp = handle_pdu(unit, adu + 1, len - 3, malformed);
  if (malformed) {
    ++counters_.malformed;
    return std::nullopt;
  }
  ++counters_.requests;
  if (unit == 0) {  // broadcast: executed, never answered
    ++counters_.broadcasts;
    return std::nullopt;
  }
  if (resp) {
    append_crc(*resp);
    if ((*resp)[1] & 0x80) {
      ++counters_.exceptions;
    } else {
      ++counters_.replies;
    }
  }
  return resp;
}

std::vector<std::uint8_t> ModbusSlave::exception(std::uint8_t unit, std::uint8_t fc,
                                                 std::uint8_t code) {
  return {unit, static_cast<std::uint8_t>(fc | 0x80), code};
}

std::optional<std::vector<std::uint8_t>> ModbusSlave::handle_pdu(std::uint8_t unit,
                                                                 const std::uint8_t* pdu,
                                                                 std::size_t n, bool& malformed) {
  const std::uint8_t fc = pdu[0];  // n >= 1: the ADU had at least 4 bytes
  switch (fc) {
    case kReadHolding:
    case kReadInput: {
      if (n != 5) break;
      const std::uint32_t addr = be16(pdu + 1);
      const std::uint16_t qty = be16(pdu + 3);
      if (qty < 1 || qty > kMaxReadQty) return exception(unit, fc, kExIllegalValue);
      if (addr < kSunSpecBase || addr + qty > kSunSpecBase + kSunSpecRegs) {
        return exception(unit, fc, kExIllegalAddress);
      }
      std::vector<std::uint8_t> r{unit, fc, static_cast<std::uint8_t>(2 * qty)};
      for (std::uint32_t a = addr; a < addr + qty; ++a) put16(r, image_[a - kSunSpecBase]);
      return r;
    }
    case kWriteSingle: {
      if (n != 5) break;
      const std::uint16_t addr = be16(pdu + 1);
      const std::uint16_t value = be16(pdu + 3);
      if (const std::uint8_t code = check_write(addr, value)) return exception(unit, fc, code);
      apply_write(addr, value);
      return std::vector<std::uint8_t>{unit, fc, pdu[1], pdu[2], pdu[3], pdu[4]};
    }
    case kWriteMultiple: {
      if (n < 6 || n != 6u + pdu[5]) break;
      const std::uint32_t addr = be16(pdu + 1);
      const std::uint16_t qty = be16(pdu + 3);
      if (qty < 1 || qty > kMaxWriteQty || pdu[5] != 2 * qty) {
        return exception(unit, fc, kExIllegalValue);
      }
      // All or nothing: addresses first (02), then values (03), then apply.
      for (std::uint32_t i = 0; i < qty; ++i) {
        if (check_write(addr + i, 0) == kExIllegalAddress) {
          return exception(unit, fc, kExIllegalAddress);
        }
      }
      for (std::uint32_t i = 0; i < qty; ++i) {
        if (const std::uint8_t code = check_write(addr + i, be16(pdu + 6 + 2 * std::size_t{i}))) {
          return exception(unit, fc, code);
        }
      }
      for (std::uint32_t i = 0; i < qty; ++i)
        apply_write(addr + i, be16(pdu + 6 + 2 * std::size_t{i}));
      return std::vector<std::uint8_t>{unit, fc, pdu[1], pdu[2], pdu[3], pdu[4]};
    }
    default:
      return exception(unit, fc, kExIllegalFunction);
  }
  malformed = true;
  return std::nullopt;
}

std::uint8_t ModbusSlave::check_write(std::uint32_t addr, std::uint16_t value) const {
  if (!options_.allow_writes) return kExIllegalAddress;
  const auto point = static_cast<std::int64_t>(addr) - kModel802Addr;
  switch (point) {
    case m802::CtrlHb:
      return 0;
    case m802::AlmRst:
      return value <= 1 ? 0 : kExIllegalValue;
    case m802::SetOp:
      return value == kSetOpConnect || value == kSetOpDisconnect ? 0 : kExIllegalValue;
    default:
      return kExIllegalAddress;
  }
}

void ModbusSlave::apply_write(std::uint32_t addr, std::uint16_t value) {
  ++counters_.writes;
  const auto point = static_cast<int>(static_cast<std::int64_t>(addr) - kModel802Addr);
  switch (point) {
    case m802::CtrlHb:
      writable_.ctrl_hb = value;
      image_[reg802(point)] = value;
      writes_.push_back({HostWrite::Point::ctrl_hb, value});
      break;
    case m802::AlmRst:
      writes_.push_back({HostWrite::Point::alm_rst, value});
      break;
    case m802::SetOp:
      image_[reg802(point)] = value;  // reads back at once; the snapshot confirms it later
      writes_.push_back({HostWrite::Point::set_op, value});
      break;
    default:
      break;
  }
}

}  // namespace essd::host
