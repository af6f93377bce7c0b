// SPDX-License-Identifier: MIT
#pragma once
// Modbus RTU request building for the tests, with a CRC written out here
// (bitwise, from the Modbus serial line spec) independent of the slave's.
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace essd::host::test {

inline std::uint16_t ref_crc(const std::vector<std::uint8_t>& b, std::size_t n) {
  std::uint16_t crc = 0xFFFF;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= b[i];
    for (int k = 0; k < 8; ++k) {
      const bool lsb = crc & 1;
      crc >>= 1;
      if (lsb) crc ^= 0xA001;
    }
  }
  return crc;
}

inline std::vector<std::uint8_t> with_crc(std::vector<std::uint8_t> b) {
  const std::uint16_t c = ref_crc(b, b.size());
  b.push_back(static_cast<std::uint8_t>(c & 0xFF));
  b.push_back(static_cast<std::uint8_t>(c >> 8));
  return b;
}

inline std::vector<std::uint8_t> req(std::uint8_t unit, std::uint8_t fc, std::uint16_t a,
                                     std::uint16_t b) {
  return with_crc({unit, fc, static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a),
                   static_cast<std::uint8_t>(b >> 8), static_cast<std::uint8_t>(b)});
}

inline std::vector<std::uint8_t> write_multi(std::uint8_t unit, std::uint16_t addr,
                                             std::initializer_list<std::uint16_t> values) {
  std::vector<std::uint8_t> b{unit,
                              0x10,
                              static_cast<std::uint8_t>(addr >> 8),
                              static_cast<std::uint8_t>(addr),
                              0,
                              static_cast<std::uint8_t>(values.size()),
                              static_cast<std::uint8_t>(2 * values.size())};
  for (auto v : values) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  }
  return with_crc(b);
}

inline bool crc_valid(const std::vector<std::uint8_t>& b) {
  if (b.size() < 4) return false;
  const std::uint16_t c = ref_crc(b, b.size() - 2);
  return b[b.size() - 2] == (c & 0xFF) && b[b.size() - 1] == (c >> 8);
}

}  // namespace essd::host::test
