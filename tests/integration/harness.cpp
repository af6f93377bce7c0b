// SPDX-License-Identifier: MIT
#include "harness.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace essd::itest {

using Clock = std::chrono::steady_clock;

namespace {

// Every directory from / down to `dir` lets others in (o+x): a test that
// drops to another uid can only reach what lies under such a path.
bool others_can_traverse(const std::filesystem::path& dir) {
  std::filesystem::path p;
  for (const auto& part : std::filesystem::absolute(dir)) {
    p /= part;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return false;
  }
  return true;
}

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::string bin(const std::string& name) {
  // ESSD_TEST_BIN_DIR: run the suites against other binaries (bench/results.md
  // "before" figures were taken that way against the unmodified build).
  if (const char* dir = std::getenv("ESSD_TEST_BIN_DIR"); dir && *dir && name == "essd") {
    return std::string(dir) + "/" + name;
  }
  return std::string(ESSD_BIN_DIR) + "/" + name;
}

std::string copy_for_others(const std::string& name, const TempDir& dir) {
  auto to = dir / name;
  std::filesystem::copy_file(bin(name), to, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(to, std::filesystem::perms(0755));
  return to;
}

std::string system_program(const std::string& name) {
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
  std::size_t at = 0;
  while (at <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', at), dirs.size());
    const std::string dir = dirs.substr(at, end - at);
    at = end + 1;
    if (dir.empty()) continue;
    const std::string path = dir + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return name;
}

TempDir::TempDir() {
  // A private TMPDIR (e.g. inside a 0700 home) would hide the socket and the
  // binaries copied here from the unprivileged uid: then use /tmp.
  auto base = std::filesystem::temp_directory_path();
  if (!others_can_traverse(base)) base = "/tmp";
  std::string tmpl = (base / "essd-it-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  ::chmod(tmpl.c_str(), 0755);  // the unprivileged client must reach the socket
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Child::Child(const std::vector<std::string>& argv, const SpawnOptions& opt) {
  int pipefd[2] = {-1, -1};
  if (opt.pipe_stdout && ::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  // Prepare everything that allocates before fork.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) envs.emplace_back(*e);
  for (const auto& e : opt.env) envs.push_back(e);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  int outfd = -1;
  if (!opt.output_file.empty()) {
    outfd = ::open(opt.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    if (opt.pipe_stdout) {
      ::dup2(pipefd[1], 1);
    } else {
      ::dup2(outfd >= 0 ? outfd : devnull, 1);
    }
    ::dup2(outfd >= 0 ? outfd : devnull, 2);
    if (opt.uid) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(*opt.uid) != 0 || ::setuid(*opt.uid) != 0) {
        ::_exit(126);
      }
    }
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  if (outfd >= 0) ::close(outfd);
  if (opt.pipe_stdout) {
    ::close(pipefd[1]);
    out_ = pipefd[0];
  }
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

Child::~Child() {
  reset();
}

Child::Child(Child&& o) noexcept {
  *this = std::move(o);
}

Child& Child::operator=(Child&& o) noexcept {
  if (this != &o) {
    reset();
    pid_ = o.pid_;
    pidfd_ = o.pidfd_;
    out_ = o.out_;
    buf_ = std::move(o.buf_);
    status_ = o.status_;
    o.pid_ = -1;
    o.pidfd_ = -1;
    o.out_ = -1;
  }
  return *this;
}

void Child::reset() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(Ms(10000));
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  if (out_ >= 0) ::close(out_);
  pidfd_ = out_ = -1;
  pid_ = -1;
}

std::optional<std::string> Child::read_line(Ms timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    if (out_ < 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) <= 0) return std::nullopt;
    char b[4096];
    ssize_t n = ::read(out_, b, sizeof b);
    if (n <= 0) return std::nullopt;
    buf_.append(b, static_cast<std::size_t>(n));
  }
}

std::string Child::read_all(Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (out_ >= 0) {
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) <= 0) break;
    char b[4096];
    ssize_t n = ::read(out_, b, sizeof b);
    if (n <= 0) break;
    buf_.append(b, static_cast<std::size_t>(n));
  }
  return std::exchange(buf_, {});
}

void Child::signal(int signo) {
  if (running()) ::kill(pid_, signo);
}

std::optional<int> Child::wait(Ms timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  pollfd p{pidfd_, POLLIN, 0};
  if (pidfd_ >= 0 && ::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  int st = 0;
  if (::waitpid(pid_, &st, pidfd_ >= 0 ? 0 : WNOHANG) != pid_) return std::nullopt;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return status_;
}

RunResult run(const std::vector<std::string>& argv, std::optional<uid_t> uid) {
  SpawnOptions o;
  o.pipe_stdout = true;
  o.uid = uid;
  Child c(argv, o);
  RunResult r;
  r.out = c.read_all(Ms(20000));
  r.code = c.wait(Ms(20000)).value_or(-1);
  return r;
}

NotifySocket::NotifySocket(std::string path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    throw std::runtime_error("bind notify socket: " + std::string(std::strerror(errno)));
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool NotifySocket::wait_for(const std::string& needle, Ms timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) <= 0) return false;
    char b[4096];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n > 0 && std::string(b, static_cast<std::size_t>(n)).find(needle) != std::string::npos) {
      return true;
    }
  }
}

std::string sim_control(const std::string& socket, const std::string& line) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, socket.c_str(), sizeof a.sun_path - 1);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string l = line + "\n";
    if (::write(fd, l.data(), l.size()) == static_cast<ssize_t>(l.size())) {
      auto deadline = Clock::now() + Ms(5000);
      while (out.find('\n') == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms_left(deadline)) <= 0) break;
        char b[4096];
        ssize_t n = ::read(fd, b, sizeof b);
        if (n <= 0) break;
        out.append(b, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  if (auto nl = out.find('\n'); nl != std::string::npos) out.resize(nl);
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace essd::itest
