// SPDX-License-Identifier: MIT
#pragma once
// The small state files essd keeps across restarts (the latch file, the
// SetOp file): read whole with a size cap, replaced atomically and durably.
// Blocking (fsync): called on a saver worker or at start-up, never from the
// loop. Every error is returned as text naming the file.
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace essd::daemon {

struct SmallFile {
  bool missing = false;  // ENOENT: nothing was ever saved
  std::string text;
  std::string error;  // "" when read (or missing)
};
/// Reads at most `max_bytes` (more is an error); a symlink is refused.
SmallFile read_small_file(const std::string& path, std::size_t max_bytes);

/// mkdir -p, mode 0750 for what it creates.
std::string make_dirs(const std::string& dir);

/// Writes `path.tmp` (a stale one, or a symlink planted there, is removed
/// first; then O_EXCL | O_NOFOLLOW, so the write can only land in a file it
/// created), sets `mode` whatever the umask, fsyncs, renames it over `path`
/// and fsyncs the directory. "" on success.
std::string replace_file_durably(const std::string& path, std::string_view bytes, mode_t mode);

/// The directory part of `path` ("." when there is none).
std::string dir_of(const std::string& path);

}  // namespace essd::daemon
