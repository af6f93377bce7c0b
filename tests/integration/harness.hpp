// SPDX-License-Identifier: MIT
#pragma once
// Process and file helpers for the integration tests: real binaries from
// build/bin, talked to only through their sockets and command lines. Every
// wait has a deadline and waits on an fd (pidfd, pipe, socket), never sleeps.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace essd::itest {

using Ms = std::chrono::milliseconds;

std::string bin(const std::string& name);  // ESSD_BIN_DIR/name
/// A system program by name, looked up in PATH and then in /usr/sbin and
/// /sbin (daemons such as mosquitto live there, and a CI PATH may lack them):
/// Child runs argv[0] with execve, which searches nothing. The name itself
/// when it is found nowhere, so that the failure names what is missing.
std::string system_program(const std::string& name);

/// Polls `done` until it holds or `timeout` runs out, for state owned by
/// another process that offers nothing to wait on (a listener that does not
/// exist yet, a scrape that is due, an HTTP status): the one place where the
/// tests nap between looks. True when it held.
template <class Pred>
bool poll_until(Pred done, Ms timeout, Ms interval = Ms(50)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Copies build/bin/NAME into `dir` (0755) and returns the copy's path: a
/// process run as another uid cannot reach a checkout in a private directory.
std::string copy_for_others(const std::string& name, const TempDir& dir);

struct SpawnOptions {
  bool pipe_stdout = false;
  std::string output_file;       // stdout (unless piped) and stderr go here
  std::vector<std::string> env;  // extra NAME=value
  std::optional<uid_t> uid;      // drop to this uid/gid before exec
};

class Child {
 public:
  Child() = default;
  Child(const std::vector<std::string>& argv, const SpawnOptions& opt);
  ~Child();
  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  std::optional<std::string> read_line(Ms timeout);  // from the stdout pipe
  std::string read_all(Ms timeout);                  // stdout until EOF
  void signal(int signo);
  /// Exit code, or 128+signal; nullopt on timeout.
  std::optional<int> wait(Ms timeout);

 private:
  void reset();
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int out_ = -1;
  std::string buf_;
  std::optional<int> status_;
};

/// Runs a command to completion (stdout captured), deadline 20 s.
struct RunResult {
  int code = -1;
  std::string out;
};
RunResult run(const std::vector<std::string>& argv, std::optional<uid_t> uid = std::nullopt);

/// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path);
  ~NotifySocket();
  const std::string& path() const { return path_; }
  /// Waits for a datagram containing `needle` (e.g. "READY=1").
  bool wait_for(const std::string& needle, Ms timeout);

 private:
  std::string path_;
  int fd_ = -1;
};

/// One request over ess-sim's control socket; "" on failure.
std::string sim_control(const std::string& socket, const std::string& line);

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

}  // namespace essd::itest
