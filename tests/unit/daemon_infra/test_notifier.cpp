// SPDX-License-Identifier: MIT
// Notifier against a fake NOTIFY_SOCKET (a datagram socket this test binds),
// watchdog_interval from WATCHDOG_USEC, listen_fds from LISTEN_FDS.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/systemd.hpp"

namespace essd::systemd {
namespace {

class FakeNotifySocket {
 public:
  FakeNotifySocket() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "essd-notify-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    path_ = dir_ + "/notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    path_.copy(sa.sun_path, sizeof sa.sun_path - 1);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
      throw std::runtime_error("bind");
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~FakeNotifySocket() {
    unsetenv("NOTIFY_SOCKET");
    close(fd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  /// Next datagram, waiting at most 5 s; "" on timeout.
  std::string receive() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return "";
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }
  bool empty() {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) == 0;
  }

 private:
  std::string dir_, path_;
  int fd_ = -1;
};

TEST(Notifier, SendsReadyWatchdogStatusStopping) {
  FakeNotifySocket sock;
  Notifier n;
  EXPECT_TRUE(n.enabled());
  n.ready();
  EXPECT_EQ(sock.receive(), "READY=1");
  n.watchdog();
  EXPECT_EQ(sock.receive(), "WATCHDOG=1");
  n.status("4 modules\nconnected");
  EXPECT_EQ(sock.receive(), "STATUS=4 modules connected");
  n.stopping();
  EXPECT_EQ(sock.receive(), "STOPPING=1");
  n.reloading();
  EXPECT_EQ(sock.receive().rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u);
  n.extend_timeout(std::chrono::seconds(3));
  EXPECT_EQ(sock.receive(), "EXTEND_TIMEOUT_USEC=3000000");
  EXPECT_EQ(n.failures(), 0);
  EXPECT_TRUE(sock.empty());
}

TEST(Notifier, NoSocketIsANoOp) {
  unsetenv("NOTIFY_SOCKET");
  Notifier n;
  EXPECT_FALSE(n.enabled());
  n.ready();
  n.watchdog();
  EXPECT_EQ(n.failures(), 0);
}

TEST(Notifier, WatchdogInterval) {
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  Notifier n;
  EXPECT_FALSE(n.watchdog_interval().has_value());
  setenv("WATCHDOG_USEC", "5000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  ASSERT_TRUE(n.watchdog_interval().has_value());
  EXPECT_EQ(*n.watchdog_interval(), std::chrono::seconds(5));
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);  // meant for another process
  EXPECT_FALSE(n.watchdog_interval().has_value());
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
}

TEST(ListenFds, NoneWithoutSocketActivation) {
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_PID");
  EXPECT_TRUE(listen_fds().empty());
}

TEST(ListenFds, PassedSocketGetsCloexec) {
  // SD_LISTEN_FDS_START is 3; park whatever the test runner left there.
  const int saved = fcntl(3, F_DUPFD_CLOEXEC, 10);
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);  // no CLOEXEC, as systemd passes them
  ASSERT_EQ(dup2(sv[0], 3), 3);
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  setenv("LISTEN_FDS", "1", 1);
  auto fds = listen_fds();
  ASSERT_EQ(fds, std::vector<int>{3});
  EXPECT_TRUE(fcntl(3, F_GETFD) & FD_CLOEXEC);
  EXPECT_EQ(getenv("LISTEN_FDS"), nullptr);  // not inherited by children
  close(3);
  close(sv[0]);
  close(sv[1]);
  if (saved >= 0) {
    dup2(saved, 3);
    close(saved);
  }
}

}  // namespace
}  // namespace essd::systemd
