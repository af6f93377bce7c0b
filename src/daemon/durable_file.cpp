// SPDX-License-Identifier: MIT
#include "daemon/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "essd/errno_text.hpp"
#include "essd/unique_fd.hpp"

namespace essd::daemon {
namespace {

std::string write_all(int fd, std::string_view bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_text("cannot write " + path);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

SmallFile read_small_file(const std::string& path, std::size_t max_bytes) {
  SmallFile r;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      r.missing = true;
    } else {
      r.error = errno_text("cannot open " + path);
    }
    return r;
  }
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.error = errno_text("cannot read " + path);
      return r;
    }
    if (n == 0) return r;
    r.text.append(buf, static_cast<std::size_t>(n));
    if (r.text.size() > max_bytes) {
      r.error = path + ": larger than " + std::to_string(max_bytes) + " bytes";
      return r;
    }
  }
}

std::string make_dirs(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? "" : dir + ": not a directory";
  if (errno != ENOENT) return errno_text("cannot stat " + dir);
  if (const std::string parent = dir_of(dir); parent != dir) {
    if (auto e = make_dirs(parent); !e.empty()) return e;
  }
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno_text("cannot create " + dir);
  return {};
}

std::string replace_file_durably(const std::string& path, std::string_view bytes, mode_t mode) {
  const std::string dir = dir_of(path);
  const std::string tmp = path + ".tmp";
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return errno_text("cannot remove " + tmp);
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) return errno_text("cannot create " + tmp);
    std::string e = ::fchmod(fd.get(), mode) == 0 ? "" : errno_text("cannot chmod " + tmp);
    if (e.empty()) e = write_all(fd.get(), bytes, tmp);
    if (e.empty() && (::fsync(fd.get()) != 0 || fd.close() != 0))
      e = errno_text("cannot sync " + tmp);
    if (!e.empty()) {
      ::unlink(tmp.c_str());
      return e;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string e = errno_text("cannot rename to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  // Make the rename itself durable.
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return errno_text("cannot open directory " + dir);
  if (::fsync(dfd.get()) != 0) return errno_text("cannot sync directory " + dir);
  return {};
}

}  // namespace essd::daemon
