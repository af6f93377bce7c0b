// SPDX-License-Identifier: MIT
#pragma once
// Checks of the directories that hold what essd owns (API socket and lock,
// history, latch state file): a directory that other users
// may write to lets them replace those files or plant symlinks. Such a
// directory is warned about at start (logged and kept as an event), not
// rejected: test rigs and sticky /tmp-like directories are legitimate, and
// the files themselves are opened without following symlinks.
#include <string>
#include <vector>

#include "essd/config.hpp"

namespace essd::daemon {

/// One warning per configured path whose directory is group- or
/// world-writable ("api.socket: directory /x is world-writable").
std::vector<std::string> unsafe_directory_warnings(const Config& config);

}  // namespace essd::daemon
