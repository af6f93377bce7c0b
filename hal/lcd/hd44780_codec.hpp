// SPDX-License-Identifier: MIT
#pragma once
// HD44780 behind a PCF8574 I2C backpack (the common 20x4 module), as bytes:
// pure, no I/O, so the exact sequences are testable.
//
// PCF8574 pins: P0 RS, P1 RW (kept 0: write only), P2 E, P3 backlight,
// P4-P7 D4-D7. One 4-bit nibble is two expander bytes, E high then E low
// (the controller latches on E's falling edge); a transfer starts with one
// byte with E low, and so does every change of RS, so that RS is settled
// before E rises.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace essd::hal::hd44780 {

inline constexpr std::uint8_t kRs = 0x01;
inline constexpr std::uint8_t kEn = 0x04;
inline constexpr std::uint8_t kBacklight = 0x08;
inline constexpr int kRows = 4;
inline constexpr int kCols = 20;
inline constexpr std::array<std::uint8_t, kRows> kRowOffset{0x00, 0x40, 0x14, 0x54};

inline constexpr std::uint8_t kCmdClear = 0x01;
inline constexpr std::uint8_t kCmdEntryIncrement = 0x06;
inline constexpr std::uint8_t kCmdDisplayOff = 0x08;
inline constexpr std::uint8_t kCmdDisplayOn = 0x0C;  // cursor and blink off
inline constexpr std::uint8_t kCmdFunction4Bit2Line = 0x28;
inline constexpr std::uint8_t kCmdSetDdram = 0x80;

/// Builds one I2C transfer.
class Transfer {
 public:
  explicit Transfer(bool backlight) : bl_(backlight ? kBacklight : 0) {}
  void nibble(std::uint8_t n, bool rs);
  void command(std::uint8_t c) { byte(c, false); }
  void data(std::uint8_t c) { byte(c, true); }
  void byte(std::uint8_t b, bool rs) {
    nibble(static_cast<std::uint8_t>(b >> 4), rs);
    nibble(static_cast<std::uint8_t>(b & 0x0F), rs);
  }
  void raw(std::uint8_t b) { bytes_.push_back(static_cast<std::uint8_t>(b | bl_)); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::uint8_t bl_;
  int last_rs_ = -1;  // -1: nothing sent yet in this transfer
  std::vector<std::uint8_t> bytes_;
};

struct Step {
  std::vector<std::uint8_t> bytes;
  int wait_ms;  // before the next step
};

/// The datasheet's 4-bit initialisation by instruction (works from any
/// state, also after a transfer broke off mid-byte): power-on wait, 0x3 three
/// times, 0x2, then function set, display off, clear, entry mode, display on.
std::vector<Step> init_sequence(bool backlight);

using Frame = std::array<std::string, kRows>;  // kCols characters each

/// A run of characters to write at (row, col).
struct Run {
  int row;
  int col;
  std::string text;
  bool operator==(const Run&) const = default;
};

/// The runs that turn `shown` into `want`, row by row, left to right. A
/// changed cell is one that differs ('\0' in `shown` = unknown). Runs
/// separated by a single unchanged cell are merged (rewriting one cell costs
/// as much as a cursor move).
std::vector<Run> diff(const Frame& shown, const Frame& want);

/// Encodes one run: set DDRAM address, then the characters.
std::vector<std::uint8_t> encode_run(const Run& r, bool backlight);

/// Character ROM A00: printable ASCII maps to itself except '\\' and '~'
/// (yen sign and arrow there); anything else becomes '?'.
std::uint8_t to_rom(char c);

}  // namespace essd::hal::hd44780
