#pragma once
// Persistence of the OV ERROR / DISCHARGE ERROR latches (controller.md
// "Interlocks"). This does file I/O with fsync, so it is kept out of the
// sans-IO Controller: the daemon calls save_latches() from its worker thread
// when Controller::take_latches_dirty() says so, and load_latches() once at
// start before constructing the Controller.
//
// Format (text, one item per line, CRC-32 of everything before the last line):
//   essd-latches 1
//   ov_error 0
//   discharge_error 1
//   crc32 1a2b3c4d
#include <optional>
#include <string>

#include "core/controller.hpp"

namespace essd::core {

struct LatchLoadResult {
  /// The restored latches; nullopt when the file is missing (first start,
  /// error empty) or unusable (error says why: torn, corrupt, unreadable).
  std::optional<Latches> latches;
  std::string error;
};

LatchLoadResult load_latches(const std::string& path);

/// Writes atomically: temp file in the same directory, fsync, rename over
/// `path`, fsync of the directory. Returns "" on success, else the error.
std::string save_latches(const std::string& path, const Latches& latches);

/// The file content for `latches` (exposed for tests).
std::string format_latches(const Latches& latches);
/// Parses file content; nullopt plus `error` when it is not a valid file.
std::optional<Latches> parse_latches(const std::string& text, std::string& error);

}  // namespace essd::core
