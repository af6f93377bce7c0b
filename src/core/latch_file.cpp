#include "core/latch_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace essd::core {

namespace {

std::uint32_t crc32(const std::string& s) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    crc ^= ch;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// Owns one file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release_close() {
    const int r = ::close(fd_);
    fd_ = -1;
    return r;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

constexpr const char* kHeader = "essd-latches 1\n";
constexpr std::size_t kMaxFile = 4096;

}  // namespace

std::string format_latches(const Latches& l) {
  std::string body = kHeader;
  body += std::string("ov_error ") + (l.ov_error ? "1" : "0") + "\n";
  body += std::string("discharge_error ") + (l.discharge_error ? "1" : "0") + "\n";
  char crc[32];
  std::snprintf(crc, sizeof crc, "crc32 %08x\n", crc32(body));
  return body + crc;
}

std::optional<Latches> parse_latches(const std::string& text, std::string& error) {
  const auto crc_pos = text.rfind("crc32 ");
  if (text.empty()) {
    error = "empty file";
    return std::nullopt;
  }
  if (crc_pos == std::string::npos || (crc_pos > 0 && text[crc_pos - 1] != '\n')) {
    error = "no checksum line (torn write?)";
    return std::nullopt;
  }
  const std::string body = text.substr(0, crc_pos);
  const std::string crc_line = text.substr(crc_pos);
  char want[16];
  std::snprintf(want, sizeof want, "%08x", crc32(body));
  if (crc_line != "crc32 " + std::string(want) + "\n") {
    error = "checksum mismatch";
    return std::nullopt;
  }
  if (body.rfind(kHeader, 0) != 0) {
    error = "unknown header";
    return std::nullopt;
  }
  std::istringstream in(body.substr(std::strlen(kHeader)));
  Latches l;
  bool have_ov = false, have_dis = false;
  std::string key, value;
  while (in >> key >> value) {
    if (value != "0" && value != "1") {
      error = "bad value for " + key;
      return std::nullopt;
    }
    if (key == "ov_error") {
      l.ov_error = value == "1";
      have_ov = true;
    } else if (key == "discharge_error") {
      l.discharge_error = value == "1";
      have_dis = true;
    }  // unknown keys: a later version's additions, ignored
  }
  if (!have_ov || !have_dis) {
    error = "missing entries";
    return std::nullopt;
  }
  return l;
}

LatchLoadResult load_latches(const std::string& path) {
  LatchLoadResult r;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno != ENOENT) r.error = errno_text("cannot open", path);
    return r;
  }
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = errno_text("cannot read", path);
      return r;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFile) {
      r.error = path + ": file too large";
      return r;
    }
  }
  std::string err;
  r.latches = parse_latches(text, err);
  if (!r.latches) r.error = path + ": " + err;
  return r;
}

std::string save_latches(const std::string& path, const Latches& latches) {
  const std::string tmp = path + ".tmp";
  const std::string content = format_latches(latches);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) return errno_text("cannot create", tmp);
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const std::string e = errno_text("cannot write", tmp);
        ::unlink(tmp.c_str());
        return e;
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0 || fd.release_close() != 0) {
      const std::string e = errno_text("cannot sync", tmp);
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
  const auto slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return errno_text("cannot open directory", dir);
  if (::fsync(dfd.get()) != 0) return errno_text("cannot sync directory", dir);
  return {};
}

}  // namespace essd::core
