// SPDX-License-Identifier: MIT
#pragma once
// The OV ERROR / DISCHARGE ERROR state file on disk. The bytes come from the
// core (core/latch_codec.hpp); this is the file I/O around them. save does
// fsync, so it runs on the LatchSaver worker, never on the loop.
#include <optional>
#include <string>

#include "core/controller.hpp"

namespace essd::daemon {

struct LatchFileLoad {
  /// nullopt only when the file does not exist (first start, nothing to
  /// restore). A file that cannot be read or fails its check gives both
  /// latches set, with `error` saying why.
  std::optional<core::Latches> latches;
  std::string error;
};
LatchFileLoad load_latch_file(const std::string& path);

/// Creates the directory when missing, writes `path.tmp`, fsync, renames it
/// over `path`, fsyncs the directory. "" on success, else the error.
std::string save_latch_file(const std::string& path, const core::Latches& latches);

}  // namespace essd::daemon
