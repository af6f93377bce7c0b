// SPDX-License-Identifier: MIT
#pragma once
// candump's log format (can-utils `candump -l` / `candump -L`), one frame a
// line: "(1700000000.123456) can0 103#C81410FF50530713". essd's bus
// recorder writes it and ess-sim --replay reads it; canplayer reads both.
// Lines that do not start with '(' are comments to canplayer: the recorder
// uses "# ..." lines for its header and for heatsink readings.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "essd/can_frame.hpp"

namespace essd {

struct LoggedFrame {
  std::int64_t time_us = 0;  // microseconds since the Unix epoch
  std::string interface;     // "can0", "slcan0", ...
  CanFrame frame;
};

/// "(0000000012.000034) can0 103#C814...\n": seconds zero-padded to 10
/// digits as candump writes them.
std::string format_candump_line(std::int64_t time_us, std::string_view interface,
                                const CanFrame& frame);

/// A heatsink reading as a comment line canplayer skips:
/// "# heatsink (1700000000.123456) 41.500\n" or "... error\n".
std::string format_heatsink_line(std::int64_t time_us, std::optional<double> celsius);

struct CandumpLine {
  enum class Kind { frame, heatsink, comment, error } kind = Kind::comment;
  LoggedFrame logged;             // kind frame (and time_us for heatsink)
  std::optional<double> celsius;  // kind heatsink; nullopt = a failed read
  std::string error;              // kind error: why
};

/// Parses one line (without or with its '\n'). Blank lines and lines not
/// starting with '(' are comments, except the heatsink lines above. Extra
/// blanks between fields (candump -L pads interface names) and trailing
/// fields (newer can-utils' direction flags) are accepted. CAN FD frames
/// ("##") and error frames are reported as errors: not a module-bus frame.
CandumpLine parse_candump_line(std::string_view line);

}  // namespace essd
