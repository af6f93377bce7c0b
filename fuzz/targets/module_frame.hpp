// SPDX-License-Identifier: MIT
#pragma once
// Module frame decoder: total over every identifier, flag and payload; a
// valid decode must re-encode to the identical frame (the codec is lossless
// for valid frames). Input: bytes 0-1 identifier (11 bits), byte 2 flags
// (0x80 extended, 0x40 remote, low nibble length), then up to 8 data bytes.
#include <cstdint>
#include <cstring>

#include "essd/module_bus.hpp"
#include "fuzz/targets/check.hpp"

namespace essd::fuzz {

inline void run_module_frame(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return;
  CanFrame f;
  f.id = static_cast<std::uint32_t>((data[0] | (data[1] << 8)) & 0x7FF);
  f.extended = data[2] & 0x80;
  f.remote = data[2] & 0x40;
  f.len = static_cast<std::uint8_t>(data[2] & 0x0F);
  if (f.len > 8) f.len = 8;
  const std::size_t n = size - 3 < 8 ? size - 3 : 8;
  std::memcpy(f.data.data(), data + 3, n);
  for (std::size_t i = f.len; i < 8; ++i) f.data[i] = 0;
  const auto r = bus::decode(f);
  if (r.ok()) {
    ESSD_FUZZ_CHECK("module_frame", bus::encode(*r.message) == f);
    ESSD_FUZZ_CHECK("module_frame", r.address >= -1 && r.address < bus::kMaxModules);
    (void)format_frame(f);
  }
}

}  // namespace essd::fuzz
