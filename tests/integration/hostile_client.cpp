// SPDX-License-Identifier: MIT
// The attacker of the hostile suite: an ordinary API client run as an
// unprivileged uid (it drops to it itself, keeping only the socket's group
// 65534), doing one of the attacks of issue 18 and printing what it got on
// one line of standard output for the test to check.
//   hostile_client UID SOCKET flood N        N pipelined refused `reload`s
//   hostile_client UID SOCKET hold N         N idle connections, until killed
//   hostile_client UID SOCKET readers N MS   N clients asking events limit 1000
//   hostile_client UID SOCKET deep DEPTH     an id nested DEPTH arrays deep
//   hostile_client UID FILE open             can this uid read FILE?
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int connect_to(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Reads one line (blocking, with a deadline); "" on EOF/timeout.
std::string read_line(int fd, std::string& buf, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto nl = buf.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return "";
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return "";
    char tmp[65536];
    const ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n <= 0) return "";
    buf.append(tmp, static_cast<std::size_t>(n));
  }
}

bool write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

int flood(const std::string& sock, long n) {
  int fd = connect_to(sock);
  if (fd < 0) return std::puts("connect_failed"), 1;
  std::string buf;
  read_line(fd, buf, 5000);  // hello
  long forbidden = 0, replies = 0;
  const std::string chunk = [] {
    std::string c;
    for (int i = 0; i < 100; ++i) c += "{\"cmd\":\"reload\"}\n";
    return c;
  }();
  for (long sent = 0; sent < n; sent += 100) {
    if (!write_all(fd, chunk)) break;
    for (int i = 0; i < 100; ++i) {
      auto line = read_line(fd, buf, 10000);
      if (line.empty()) break;
      ++replies;
      if (line.find("\"forbidden\"") != std::string::npos) ++forbidden;
    }
  }
  std::printf("replies %ld forbidden %ld\n", replies, forbidden);
  return 0;
}

int hold(const std::string& sock, int n) {
  std::vector<int> fds;
  int held = 0, rejected = 0;
  for (int i = 0; i < n; ++i) {
    int fd = connect_to(sock);
    if (fd < 0) {
      ++rejected;
      continue;
    }
    std::string buf;
    auto line = read_line(fd, buf, 5000);
    if (line.find("\"hello\"") != std::string::npos) {
      ++held;
      fds.push_back(fd);
    } else {
      ++rejected;
      ::close(fd);
    }
  }
  std::printf("held %d rejected %d\n", held, rejected);
  std::fflush(stdout);
  // Report when the daemon closes them (idle timeout), until killed.
  const auto t0 = Clock::now();
  std::size_t open = fds.size();
  std::vector<pollfd> p;
  for (int fd : fds) p.push_back({fd, POLLIN, 0});
  while (open > 0) {
    if (::poll(p.data(), p.size(), -1) <= 0) continue;
    for (auto& q : p) {
      if (q.fd >= 0 && (q.revents & (POLLIN | POLLHUP))) {
        char tmp[4096];
        if (::read(q.fd, tmp, sizeof tmp) <= 0) {
          ::close(q.fd);
          q.fd = -1;
          --open;
        }
      }
    }
  }
  std::printf(
      "all_closed_after_ms %lld\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()));
  return 0;
}

int readers(const std::string& sock, int n, int ms) {
  struct Reader {
    int fd;
    std::string buf;
  };
  std::vector<Reader> rs;
  const std::string req = "{\"cmd\":\"events\",\"limit\":1000}\n{\"cmd\":\"modules\"}\n";
  for (int i = 0; i < n; ++i) {
    int fd = connect_to(sock);
    if (fd < 0) continue;
    rs.push_back({fd, {}});
    write_all(fd, req);
  }
  long replies = 0;
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  std::vector<pollfd> p;
  for (auto& r : rs) p.push_back({r.fd, POLLIN, 0});
  while (Clock::now() < until) {
    if (::poll(p.data(), p.size(), 100) <= 0) continue;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (!(p[i].revents & POLLIN)) continue;
      char tmp[65536];
      const ssize_t k = ::read(p[i].fd, tmp, sizeof tmp);
      if (k <= 0) {
        p[i].fd = -1;
        continue;
      }
      auto& r = rs[i];
      r.buf.append(tmp, static_cast<std::size_t>(k));
      std::size_t nl;
      int lines = 0;
      while ((nl = r.buf.find('\n')) != std::string::npos) {
        r.buf.erase(0, nl + 1);
        ++lines;
      }
      // The hello counts as one line; ask again for every two replies.
      replies += lines;
      for (int j = 0; j < lines / 2 + 1 && lines > 0; ++j) write_all(p[i].fd, req);
    }
  }
  std::printf("clients %zu replies %ld\n", rs.size(), replies);
  return 0;
}

int deep(const std::string& sock, int depth) {
  int fd = connect_to(sock);
  if (fd < 0) return std::puts("connect_failed"), 1;
  std::string buf;
  read_line(fd, buf, 5000);
  std::string id(static_cast<std::size_t>(depth), '[');
  id += std::string(static_cast<std::size_t>(depth), ']');
  write_all(fd, "{\"id\":" + id + ",\"cmd\":\"status\"}\n");
  auto line = read_line(fd, buf, 10000);
  std::printf("%s\n", line.empty() ? "closed" : line.substr(0, 200).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  ::signal(SIGPIPE, SIG_IGN);
  const uid_t uid = static_cast<uid_t>(std::strtoul(argv[1], nullptr, 10));
  const gid_t group = 65534;  // the rig's socket group (nogroup)
  if (::setgroups(1, &group) != 0 || ::setgid(group) != 0 || ::setuid(uid) != 0) {
    std::puts("cannot drop privileges");
    return 3;
  }
  const std::string target = argv[2], mode = argv[3];
  const long arg = argc > 4 ? std::strtol(argv[4], nullptr, 10) : 0;
  if (mode == "flood") return flood(target, arg);
  if (mode == "hold") return hold(target, static_cast<int>(arg));
  if (mode == "readers")
    return readers(target, static_cast<int>(arg), argc > 5 ? std::atoi(argv[5]) : 1000);
  if (mode == "deep") return deep(target, static_cast<int>(arg));
  if (mode == "open") {
    const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
    std::printf("%s\n", fd >= 0 ? "readable" : std::strerror(errno));
    return 0;
  }
  return 2;
}
