// SPDX-License-Identifier: MIT
#pragma once
// Sans-IO Modbus RTU slave: frame delimiting (RtuFramer) and request
// handling over the SunSpec register image (ModbusSlave). Total over all
// inputs: any byte sequence yields a reply, an exception or nothing, and is
// counted; nothing is read beyond the given length. This is the fuzz target.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "host/sunspec_map.hpp"

namespace essd::host {

inline constexpr std::size_t kRtuMaxAdu = 256;

/// Modbus CRC-16 (poly 0xA001 reflected, init 0xFFFF); sent low byte first.
std::uint16_t modbus_crc16(const std::uint8_t* data, std::size_t len);
/// Appends the CRC to an ADU under construction.
void append_crc(std::vector<std::uint8_t>& adu);

/// The 3.5-character silence that ends an RTU frame: 11 bits per character
/// as the Modbus serial line spec counts them; a fixed 1750 us above 19200 baud.
std::chrono::microseconds rtu_silence(int baud);

/// Collects received bytes into frames. A frame ends at 3.5 characters of
/// silence (the caller's timer calls on_silence()). A request whose length is
/// known from its function code (03, 04, 06, 10) and whose CRC checks is
/// completed at once, so a late timer cannot merge it with the next one.
class RtuFramer {
 public:
  /// Frames completed by length + CRC; remaining bytes stay buffered.
  std::vector<std::vector<std::uint8_t>> feed(const std::uint8_t* data, std::size_t len);
  /// The line went silent: the buffered bytes (if any) are one frame. An
  /// over-long frame (more than 256 bytes) is discarded and counted instead.
  std::optional<std::vector<std::uint8_t>> on_silence();
  bool pending() const { return !buf_.empty() || overrun_; }
  std::uint64_t overruns() const { return overruns_; }

 private:
  std::vector<std::uint8_t> buf_;
  bool overrun_ = false;
  std::uint64_t overruns_ = 0;
};

struct ModbusSlaveOptions {
  std::uint8_t unit = 1;
  bool allow_writes = false;
};

/// A write the host made that the link must act on.
struct HostWrite {
  enum class Point { ctrl_hb, alm_rst, set_op } point = Point::ctrl_hb;
  std::uint16_t value = 0;
};

struct ModbusSlaveCounters {
  std::uint64_t requests = 0;    // well-formed requests for our unit or broadcast
  std::uint64_t replies = 0;     // normal responses sent
  std::uint64_t exceptions = 0;  // exception responses sent
  std::uint64_t crc_errors = 0;  // dropped: wrong CRC
  std::uint64_t malformed = 0;   // dropped: truncated, too long, length mismatch
  std::uint64_t other_unit = 0;  // ignored: addressed to another unit
  std::uint64_t broadcasts = 0;  // unit 0: executed (writes), never answered
  std::uint64_t writes = 0;      // registers written
};

class ModbusSlave {
 public:
  explicit ModbusSlave(ModbusSlaveOptions options);

  void set_options(ModbusSlaveOptions options) { options_ = options; }
  /// The latest image (build_sunspec_image with writable()).
  void set_image(const RegisterImage& image) { image_ = image; }
  const RegisterImage& image() const { return image_; }
  const SunSpecWritable& writable() const { return writable_; }

  /// One received ADU (unit id .. CRC). Returns the response ADU, or nothing
  /// (dropped, other unit, broadcast).
  std::optional<std::vector<std::uint8_t>> handle(const std::uint8_t* adu, std::size_t len);
  /// Writes accepted since the last call, in order.
  std::vector<HostWrite> take_writes();
  const ModbusSlaveCounters& counters() const { return counters_; }

 private:
  std::optional<std::vector<std::uint8_t>> handle_pdu(std::uint8_t unit, const std::uint8_t* pdu,
                                                      std::size_t len, bool& malformed);
  std::vector<std::uint8_t> exception(std::uint8_t unit, std::uint8_t fc, std::uint8_t code);
  /// 0 if the write of `value` at `addr` is acceptable, else the exception code.
  std::uint8_t check_write(std::uint32_t addr, std::uint16_t value) const;
  void apply_write(std::uint32_t addr, std::uint16_t value);

  ModbusSlaveOptions options_;
  RegisterImage image_{};
  SunSpecWritable writable_;
  std::vector<HostWrite> writes_;
  ModbusSlaveCounters counters_;
};

}  // namespace essd::host
