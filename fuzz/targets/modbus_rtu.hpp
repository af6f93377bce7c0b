// SPDX-License-Identifier: MIT
#pragma once
// Modbus RTU request handling (src/host/modbus_rtu.*): a fuzzed serial byte
// stream, cut into frames by RtuFramer (fuzzed chunking and silences), each
// frame handed to ModbusSlave::handle over a register image built from a
// fuzzed snapshot. Invariants: a response is only for our unit (never for a
// broadcast), fits an RTU ADU, carries a valid CRC, echoes the function code
// (or it with 0x80 and exception code 1-4; a request code >= 0x80 gets
// exception 1); no write is taken unless writes
// are allowed; the image never changes except by an allowed write.
// Input: byte 0 options (bit 0 allow_writes, bits 1-2 unit 1/2/247/0x11),
// byte 1 the snapshot recipe length, the recipe, then the line bytes; each
// 0xFE in the line stream is a 3.5-character silence.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "fuzz/targets/check.hpp"
#include "fuzz/targets/snapshot_builder.hpp"
#include "host/modbus_rtu.hpp"
#include "host/sunspec_map.hpp"

namespace essd::fuzz {

namespace modbus_detail {

inline void check_response(const std::vector<std::uint8_t>& req,
                           const std::vector<std::uint8_t>& rsp, std::uint8_t unit) {
  constexpr const char* kName = "modbus_rtu";
  ESSD_FUZZ_CHECK(kName, req.size() >= 4 && req[0] == unit);
  ESSD_FUZZ_CHECK(kName, rsp.size() >= 5 && rsp.size() <= host::kRtuMaxAdu);
  ESSD_FUZZ_CHECK(kName, rsp[0] == unit);
  const std::uint16_t crc = host::modbus_crc16(rsp.data(), rsp.size() - 2);
  ESSD_FUZZ_CHECK(kName, rsp[rsp.size() - 2] == (crc & 0xFF) && rsp.back() == (crc >> 8));
  if (req[1] & 0x80) {
    // 128-255 are not request function codes (they mark exceptions): the
    // only answer is exception 01, whose code byte is then the request's.
    ESSD_FUZZ_CHECK(kName, rsp.size() == 5 && rsp[1] == req[1] && rsp[2] == 1);
  } else if (rsp[1] & 0x80) {
    ESSD_FUZZ_CHECK(kName, (rsp[1] & 0x7F) == req[1] && rsp.size() == 5);
    ESSD_FUZZ_CHECK(kName, rsp[2] >= 1 && rsp[2] <= 4);
  } else {
    ESSD_FUZZ_CHECK(kName, rsp[1] == req[1]);
  }
}

}  // namespace modbus_detail

inline void run_modbus_rtu(const std::uint8_t* data, std::size_t size) {
  constexpr const char* kName = "modbus_rtu";
  if (size < 2) return;
  static constexpr std::uint8_t kUnits[] = {1, 2, 247, 0x11};
  host::ModbusSlaveOptions opts;
  opts.allow_writes = data[0] & 1;
  opts.unit = kUnits[(data[0] >> 1) & 3];
  const std::size_t recipe = std::min<std::size_t>(data[1], size - 2);
  ByteReader in(data + 2, recipe);
  const SystemSnapshot snap = make_snapshot(in);
  host::SunSpecIdentity id;
  id.serial = in.text(40);  // longer than SN's 32 bytes on purpose
  id.manufacturer = in.text(40);
  id.device_address = opts.unit;

  host::ModbusSlave slave(opts);
  slave.set_image(host::build_sunspec_image(snap, id, slave.writable()));
  const host::RegisterImage before = slave.image();

  auto handle = [&](const std::vector<std::uint8_t>& frame) {
    // An exactly-sized heap copy so that ASan catches any read past the end.
    std::vector<std::uint8_t> adu(frame);
    const auto rsp = slave.handle(adu.data(), adu.size());
    if (rsp) modbus_detail::check_response(adu, *rsp, opts.unit);
  };

  host::RtuFramer framer;
  const std::uint8_t* p = data + 2 + recipe;
  const std::uint8_t* end = data + size;
  while (p < end) {
    const std::uint8_t* q = std::find(p, end, std::uint8_t{0xFE});
    for (const auto& f : framer.feed(p, static_cast<std::size_t>(q - p))) handle(f);
    if (q < end) {
      if (auto f = framer.on_silence()) handle(*f);
      ++q;
    }
    p = q;
  }
  if (auto f = framer.on_silence()) handle(*f);
  ESSD_FUZZ_CHECK(kName, !framer.pending());

  // Direct path too: the whole tail as one ADU, without the framer.
  const std::vector<std::uint8_t> whole(data + 2 + recipe, end);
  if (!whole.empty()) handle(whole);

  const auto writes = slave.take_writes();
  if (!opts.allow_writes) {
    ESSD_FUZZ_CHECK(kName, writes.empty());
    ESSD_FUZZ_CHECK(kName, slave.image() == before);
  }
}

}  // namespace essd::fuzz
