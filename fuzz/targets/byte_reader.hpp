// SPDX-License-Identifier: MIT
#pragma once
// A tiny FuzzedDataProvider: turns the fuzzer's bytes into typed values.
// Reading past the end yields zeros, so every input is a valid recipe and
// short inputs still reach every branch with default values. (libFuzzer's
// own FuzzedDataProvider.h is not on gcc's include path; the regression test
// must build the same entry functions with gcc.)
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace essd::fuzz {

class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  std::size_t remaining() const { return empty() ? 0 : size_ - pos_; }

  std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint16_t u16() {
    const auto lo = u8();
    return static_cast<std::uint16_t>(lo | (u8() << 8));
  }
  std::int16_t i16() { return static_cast<std::int16_t>(u16()); }
  std::int8_t i8() { return static_cast<std::int8_t>(u8()); }
  bool boolean() { return u8() & 1; }
  /// 0 .. n-1 (n > 0).
  int pick(int n) { return u8() % n; }

  /// A double that is usually in [lo, hi] but sometimes one of the values a
  /// careless conversion mishandles: huge, negative, NaN, infinities.
  double real(double lo, double hi) {
    const std::uint8_t kind = u8();
    const double frac = u16() / 65535.0;
    switch (kind % 16) {
      case 0:
        return std::numeric_limits<double>::quiet_NaN();
      case 1:
        return std::numeric_limits<double>::infinity();
      case 2:
        return -std::numeric_limits<double>::infinity();
      case 3:
        return 1e12 * (frac - 0.5);
      case 4:
        return -0.0;
      default:
        return lo + (hi - lo) * frac;
    }
  }

  /// Up to max_len raw bytes (any value, including NUL and invalid UTF-8).
  std::string text(std::size_t max_len) {
    const std::size_t n = std::min<std::size_t>(u8() % (max_len + 1), remaining());
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace essd::fuzz
