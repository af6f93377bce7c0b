// SPDX-License-Identifier: MIT
// The real ess-sim binary in --pty mode: the first stdout line names the
// slave, which behaves like a Lawicel adapter and survives being closed and
// reopened. Everything waits on fds with deadlines; no sleeps.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cerrno>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "essd/module_bus.hpp"
#include "essd/slcan.hpp"
#include "essd/unique_fd.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

using Fd = essd::UniqueFd;

class EssSim {
 public:
  explicit EssSim(std::vector<std::string> args) {
    int p[2], e[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return;
    out_.reset(p[0]);
    if (::pipe2(e, O_CLOEXEC) != 0) return;
    err_.reset(e[0]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_adddup2(&fa, e[1], 2);
    std::vector<char*> argv;
    args.insert(args.begin(), ESS_SIM_PATH);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, ESS_SIM_PATH, &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(p[1]);
    ::close(e[1]);
  }
  ~EssSim() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  /// First stdout line, or "" at the deadline.
  std::string first_line(std::chrono::milliseconds within) {
    std::string s;
    const auto end = Clock::now() + within;
    while (Clock::now() < end) {
      pollfd pfd{out_.get(), POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      char c;
      if (::read(out_.get(), &c, 1) != 1) break;
      if (c == '\n') return s;
      s.push_back(c);
    }
    return {};
  }
  /// Sends SIGTERM and returns the exit status (-1 on timeout).
  int terminate(std::chrono::milliseconds within) {
    ::kill(pid_, SIGTERM);
    const auto end = Clock::now() + within;
    int status = 0;
    while (Clock::now() < end) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      // Wait for the child's stdout to close (it exits) rather than sleeping.
      pollfd pfd{out_.get(), POLLIN, 0};
      ::poll(&pfd, 1, 50);
      char buf[256];
      if (pfd.revents & POLLIN) (void)::read(out_.get(), buf, sizeof buf);
    }
    return -1;
  }
  pid_t pid() const { return pid_; }
  int err_fd() const { return err_.get(); }

 private:
  pid_t pid_ = -1;
  Fd out_;
  Fd err_;
};

int open_slave(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return fd;
  termios t{};
  ::tcgetattr(fd, &t);
  ::cfmakeraw(&t);
  ::tcsetattr(fd, TCSANOW, &t);
  return fd;
}

/// Reads from fd until pred(data) holds or the deadline passes.
template <class Pred>
std::string read_until(int fd, std::chrono::milliseconds within, Pred pred) {
  std::string data;
  const auto end = Clock::now() + within;
  while (!pred(data) && Clock::now() < end) {
    pollfd pfd{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (::poll(&pfd, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) continue;
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      // A reopened pty can report a transient EOF/EIO while the other side
      // re-arms; keep reading until the deadline instead of giving up.
      ::poll(nullptr, 0, 10);
      continue;
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

/// STATUS addresses decoded from the adapter's output.
std::set<int> status_addresses(const std::string& data, int* invalid) {
  std::set<int> out;
  essd::slcan::Decoder dec;
  dec.feed(data, [&](const essd::slcan::Output& o) {
    if (o.kind != essd::slcan::Output::Kind::frame) return;
    const auto r = essd::bus::decode(o.frame);
    if (!r.ok()) ++*invalid;
    if (r.ok() && std::holds_alternative<essd::bus::Status>(*r.message)) out.insert(r.address);
  });
  return out;
}

TEST(EssSimPty, AdapterSetupFramesAndReopen) {
  EssSim sim({"--pty", "--modules", "3", "--seed", "5"});
  ASSERT_GT(sim.pid(), 0);
  const std::string path = sim.first_line(std::chrono::seconds(10));
  ASSERT_EQ(path.rfind("/dev/pts/", 0), 0u) << path;

  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    Fd slave(open_slave(path));
    ASSERT_TRUE(slave);
    ASSERT_EQ(::write(slave.get(), "C\rS6\rO\r", 7), 7);
    int invalid = 0;
    const std::string data =
        read_until(slave.get(), std::chrono::seconds(5), [&](const std::string& d) {
          int bad = 0;
          return status_addresses(d, &bad).size() == 3;
        });
    ASSERT_EQ(data.rfind("\r\r\r", 0), 0u) << "replies: " << data.substr(0, 8);
    EXPECT_EQ(status_addresses(data, &invalid), (std::set<int>{0, 1, 2}));
    EXPECT_EQ(invalid, 0);
    // A CTRL frame is acknowledged like a Lawicel adapter does.
    const std::string ctrl = essd::slcan::encode_frame(essd::bus::encode(essd::bus::Ctrl{}));
    ASSERT_EQ(::write(slave.get(), ctrl.data(), ctrl.size()), static_cast<ssize_t>(ctrl.size()));
    const std::string ack =
        read_until(slave.get(), std::chrono::seconds(3),
                   [](const std::string& d) { return d.find("z\r") != std::string::npos; });
    EXPECT_NE(ack.find("z\r"), std::string::npos);
    if (round == 0) {
      slave.reset();
      // Reopen only once ess-sim has seen the hang-up (EIO on the master).
      const std::string err = read_until(
          sim.err_fd(), std::chrono::seconds(5),
          [](const std::string& d) { return d.find("closed the port") != std::string::npos; });
      ASSERT_NE(err.find("closed the port"), std::string::npos) << err;
    }
  }

  EXPECT_EQ(sim.terminate(std::chrono::seconds(5)), 0);
}

TEST(EssSimPty, ControlSocketAnswersAndInjects) {
  char dir[] = "/tmp/ess-sim-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string sock = std::string(dir) + "/ctl";
  EssSim sim({"--pty", "--modules", "2", "--control", sock});
  const std::string path = sim.first_line(std::chrono::seconds(10));
  ASSERT_FALSE(path.empty());
  Fd c(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::connect(c.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << sock;
  const std::string cmds = "bogus 1\ndrop 1\nstatus\n";
  ASSERT_EQ(::write(c.get(), cmds.data(), cmds.size()), static_cast<ssize_t>(cmds.size()));
  const std::string replies =
      read_until(c.get(), std::chrono::seconds(5),
                 [](const std::string& d) { return std::count(d.begin(), d.end(), '\n') >= 3; });
  EXPECT_EQ(replies.rfind("error unknown command 'bogus'\nok\nok t=", 0), 0u) << replies;

  // The dropped module is absent from the bus; module 0 is there.
  Fd slave(open_slave(path));
  ASSERT_EQ(::write(slave.get(), "O\r", 2), 2);
  int invalid = 0;
  const std::string data = read_until(slave.get(), std::chrono::seconds(3),
                                      [](const std::string& d) { return d.size() > 600; });
  EXPECT_EQ(status_addresses(data, &invalid), std::set<int>{0});
  EXPECT_EQ(sim.terminate(std::chrono::seconds(5)), 0);
  EXPECT_NE(::access(sock.c_str(), F_OK), 0);  // removed on exit
  ::rmdir(dir);
}

TEST(EssSimPty, BadUsageExitsTwo) {
  EssSim sim({"--modules", "3"});  // neither --can nor --pty
  ASSERT_GT(sim.pid(), 0);
  EXPECT_EQ(sim.first_line(std::chrono::seconds(10)), "");
  EXPECT_EQ(sim.terminate(std::chrono::seconds(5)), 2);
}

}  // namespace
