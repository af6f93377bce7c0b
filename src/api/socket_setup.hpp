// SPDX-License-Identifier: MIT
#pragma once
// The operating-system side of the API socket: the instance lock, replacing
// a stale socket file, mode/group, and the peer's credentials. Kept apart
// from the session logic so that the server reads as protocol only.
#include <sys/types.h>
#include <string>
#include <vector>

#include "api/backend.hpp"
#include "essd/unique_fd.hpp"

namespace essd::api {

/// A bound, listening socket at `path`.
struct ListeningSocket {
  UniqueFd fd;
  std::string path;  // unlinked by the server at stop
  std::vector<std::string> warnings;
};

/// The instance lock: flock on SOCKET.lock (opened with O_NOFOLLOW, mode
/// 0600), held for the daemon's lifetime. Taken before anything else is
/// opened (docs/api.md "Limits": a second daemon must not touch what the first
/// one owns). Fails with a clear message when another daemon holds it.
bool acquire_instance_lock(const std::string& socket_path, UniqueFd& lock, std::string& error);

/// Creates the socket (mode 0660, group `group` if not empty). The caller
/// holds the instance lock. Fails with a clear message when another daemon
/// answers on the socket, when the path is not a socket, or the directory is
/// not writable.
bool create_listening_socket(const std::string& path, const std::string& group,
                             ListeningSocket& out, std::string& error);

/// Group id by name; false when no such group.
bool lookup_group(const std::string& name, gid_t& gid);

/// Peer credentials from SO_PEERCRED; privileged = root, or `admin_gid`
/// (if valid) is the peer's effective gid or one of its supplementary groups
/// as the kernel reports them (SO_PEERGROUPS): no group database lookup on
/// the loop, and no buffer that a large group could overflow.
Peer peer_credentials(int fd, bool admin_gid_valid, gid_t admin_gid);

}  // namespace essd::api
