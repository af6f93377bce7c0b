// SPDX-License-Identifier: MIT
#pragma once
// A classic CAN frame as every transport (SocketCAN, SLCAN, simulator)
// hands it over. Kernel-free on purpose: nothing above hal/ includes
// <linux/can.h>.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace essd {

struct CanFrame {
  std::uint32_t id = 0;  // 11-bit (standard) or 29-bit (extended)
  bool extended = false;
  bool remote = false;
  std::uint8_t len = 0;  // 0..8 (classic CAN)
  std::array<std::uint8_t, 8> data{};

  static CanFrame make(std::uint32_t id, std::initializer_list<std::uint8_t> bytes) {
    CanFrame f;
    f.id = id;
    for (auto b : bytes) {
      if (f.len == 8) break;
      f.data[f.len++] = b;
    }
    return f;
  }
  bool operator==(const CanFrame&) const = default;
};

/// can-utils text form, so operators can replay a logged frame with cansend:
/// "103#C81410FF50530713", "12345678#00", "123#R", "123#R4" (remote with length).
std::string format_frame(const CanFrame& frame);

/// Inverse of format_frame (accepts either hex case). nullopt on any error.
std::optional<CanFrame> parse_frame(std::string_view text);

}  // namespace essd
