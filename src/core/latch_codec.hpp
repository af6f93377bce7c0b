// SPDX-License-Identifier: MIT
#pragma once
// The bytes of the OV ERROR / DISCHARGE ERROR state file (docs/core.md
// "State file": latches persisted and restored at start). Pure: the daemon
// reads and writes the file (src/daemon/latch_file.*) and hands the bytes
// over. A file that fails its check restores both latches as set: what is
// restored can only keep a path open.
//
// Format (text, one item per line, CRC-32 of everything before the last line):
//   essd-latches 1
//   ov_error 0
//   discharge_error 1
//   crc32 1a2b3c4d
#include <string>
#include <string_view>

#include "core/controller.hpp"

namespace essd::core {

/// The file content for `latches`.
std::string encode_latches(const Latches& latches);

struct LatchDecodeResult {
  Latches latches{true, true};  // both set unless the bytes prove otherwise
  std::string error;            // "" when the bytes are a valid file
  bool ok() const { return error.empty(); }
};

/// Parses file content; on any defect (torn, corrupt, unknown header,
/// too large) both latches are set and `error` says why.
LatchDecodeResult decode_latches(std::string_view bytes);

/// Longest valid file; the reader need not read more.
inline constexpr std::size_t kMaxLatchFileBytes = 4096;

}  // namespace essd::core
