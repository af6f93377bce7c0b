// SPDX-License-Identifier: MIT
#include "api/socket_setup.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "essd/errno_text.hpp"

namespace essd::api {

namespace {

bool fill_addr(const std::string& path, sockaddr_un& addr, std::string& error) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    error = "API socket path \"" + path + "\" is empty or longer than " +
            std::to_string(sizeof addr.sun_path - 1) + " bytes";
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

/// True when something accepts connections at `path` (a live daemon).
bool someone_listens(const sockaddr_un& addr) {
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!probe) return false;
  // Non-blocking: a Unix-socket connect() then either succeeds into the
  // backlog or fails at once (ECONNREFUSED: stale; EAGAIN: backlog full).
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    return true;
  }
  return errno == EAGAIN;  // backlog full: still a live listener
}

}  // namespace

bool lookup_group(const std::string& name, gid_t& gid) {
  if (name.empty()) return false;
  std::vector<char> buf(16384);
  for (;;) {
    group gr{};
    group* res = nullptr;
    const int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res);
    if (rc == ERANGE && buf.size() < (1u << 24)) {  // a group with many members
      buf.resize(buf.size() * 4);
      continue;
    }
    if (rc != 0 || !res) return false;
    gid = res->gr_gid;
    return true;
  }
}

bool acquire_instance_lock(const std::string& socket_path, UniqueFd& lock, std::string& error) {
  const std::string lock_path = socket_path + ".lock";
  // O_NOFOLLOW: a symlink planted at the lock path must not make us create
  // or truncate a file elsewhere.
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) {
    int e = errno;
    error = "cannot create " + lock_path + ": " + std::strerror(e) +
            (e == ELOOP ? " (it is a symbolic link; not following it)"
             : e == EACCES || e == EROFS || e == ENOENT
                 ? " (is the directory present and writable? set api.socket in the config)"
                 : "");
    return false;
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    error = "another essd is running: " + lock_path + " is locked";
    return false;
  }
  ::fchmod(fd.get(), 0600);  // the fd, never the path
  lock = std::move(fd);
  return true;
}

namespace {

/// A socket file left by an essd that is gone is removed; anything else at
/// `path` is kept, and the start fails.
bool remove_stale_socket(const std::string& path, const sockaddr_un& addr, ListeningSocket& out,
                         std::string& error) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      error = path + " exists and is not a socket; not replacing it";
      return false;
    }
    // The lock covers essd builds that take it; the probe covers one that
    // does not.
    if (someone_listens(addr)) {
      error = "another daemon answers on " + path + "; not replacing it";
      return false;
    }
    if (::unlink(path.c_str()) != 0) {
      error = errno_text("cannot remove stale socket " + path);
      return false;
    }
    out.warnings.push_back("replaced stale socket " + path);
  }
  return true;
}

/// Mode 0660 and the admin group on the bound socket.
void set_socket_access(const std::string& path, const std::string& group, ListeningSocket& out) {
  struct stat st {};
  // Tighten before listen(): nobody can connect until listen() anyway. A
  // socket inode cannot be changed through its fd, so change the path, but
  // never through a symlink (the path is the socket we just bound).
  if (::fchmodat(AT_FDCWD, path.c_str(), 0660, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOTSUP || ::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode) ||
        ::chmod(path.c_str(), 0660) != 0) {
      out.warnings.push_back(errno_text("chmod 0660 " + path));
    }
  }
  if (!group.empty()) {
    gid_t gid = 0;
    if (!lookup_group(group, gid)) {
      out.warnings.push_back("group \"" + group +
                             "\" does not exist; socket keeps the daemon's group");
    } else if (::lchown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) {
      out.warnings.push_back(errno_text("chown :" + group + " " + path));
    }
  }
}

}  // namespace

bool create_listening_socket(const std::string& path, const std::string& group,
                             ListeningSocket& out, std::string& error) {
  sockaddr_un addr{};
  if (!fill_addr(path, addr, error)) return false;
  if (!remove_stale_socket(path, addr, out, error)) return false;

  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    error = errno_text("socket()");
    return false;
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    error = "cannot bind " + path + ": " + std::strerror(e) +
            (e == EACCES || e == EROFS || e == ENOENT
                 ? " (is the directory present and writable? set api.socket in the config)"
                 : "");
    return false;
  }
  set_socket_access(path, group, out);
  if (::listen(fd.get(), 128) != 0) {
    error = errno_text("listen on " + path);
    ::unlink(path.c_str());
    return false;
  }
  out.fd = std::move(fd);
  out.path = path;
  return true;
}

Peer peer_credentials(int fd, bool admin_gid_valid, gid_t admin_gid) {
  Peer p;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return p;  // unprivileged
  p.pid = cred.pid;
  p.uid = cred.uid;
  p.gid = cred.gid;
  if (cred.uid == 0) {
    p.privileged = true;
    return p;
  }
  if (!admin_gid_valid) return p;
  if (cred.gid == admin_gid) {
    p.privileged = true;
    return p;
  }
  // The peer's supplementary groups as the kernel holds them for the
  // connecting process (Linux >= 4.13): what it could use itself.
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    socklen_t glen = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen) == 0) {
      groups.resize(glen / sizeof(gid_t));
      for (gid_t g : groups) {
        if (g == admin_gid) p.privileged = true;
      }
      return p;
    }
    if (errno != ERANGE) return p;  // unprivileged
    groups.resize(glen / sizeof(gid_t) + 1);
  }
  return p;
}

}  // namespace essd::api
