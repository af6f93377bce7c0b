#include "daemon/latch_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/latch_codec.hpp"

namespace essd::daemon {

namespace {

// Owns one file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

// mkdir -p, mode 0750 for what it creates.
std::string make_dirs(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? "" : dir + ": not a directory";
  if (errno != ENOENT) return errno_text("cannot stat", dir);
  if (const std::string parent = dir_of(dir); parent != dir) {
    if (auto e = make_dirs(parent); !e.empty()) return e;
  }
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno_text("cannot create", dir);
  return {};
}

std::string write_all(int fd, const std::string& content, const std::string& path) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_text("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

LatchFileLoad load_latch_file(const std::string& path) {
  LatchFileLoad r;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return r;  // first start
    r.error = errno_text("cannot open", path);
    r.latches = core::Latches{true, true};
    return r;
  }
  std::string text;
  char buf[512];
  while (text.size() <= core::kMaxLatchFileBytes) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.error = errno_text("cannot read", path);
      r.latches = core::Latches{true, true};
      return r;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  const auto d = core::decode_latches(text);
  r.latches = d.latches;
  if (!d.ok()) r.error = path + ": " + d.error;
  return r;
}

std::string save_latch_file(const std::string& path, const core::Latches& latches) {
  const std::string dir = dir_of(path);
  if (auto e = make_dirs(dir); !e.empty()) return e;
  const std::string tmp = path + ".tmp";
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) return errno_text("cannot create", tmp);
    std::string e = write_all(fd.get(), core::encode_latches(latches), tmp);
    if (e.empty() && (::fsync(fd.get()) != 0 || fd.close() != 0))
      e = errno_text("cannot sync", tmp);
    if (!e.empty()) {
      ::unlink(tmp.c_str());
      return e;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string e = errno_text("cannot rename to", path);
    ::unlink(tmp.c_str());
    return e;
  }
  // Make the rename itself durable.
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return errno_text("cannot open directory", dir);
  if (::fsync(dfd.get()) != 0) return errno_text("cannot sync directory", dir);
  return {};
}

}  // namespace essd::daemon
