// SPDX-License-Identifier: MIT
// hal/serial: open_tty errors and the settings it applies.
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <gtest/gtest.h>

#include "hal/serial/pty.hpp"
#include "hal/serial/tty.hpp"
#include "hal/serial/tty_settings.hpp"
#include "pty_adapter.hpp"

namespace essd::hal {
namespace {

TEST(Tty, BaudTable) {
  for (int b : {9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 2000000,
                3000000, 4000000}) {
    EXPECT_TRUE(is_supported_baud(b)) << b;
  }
  for (int b : {0, -1, 1200, 9601, 4000001}) EXPECT_FALSE(is_supported_baud(b)) << b;
}

TEST(Tty, ClearErrors) {
  std::string error;
  EXPECT_FALSE(open_tty("/nonexistent/ttyACM9", 115200, error));
  EXPECT_EQ(error, "/nonexistent/ttyACM9: no such device");
  EXPECT_FALSE(open_tty("/dev/null", 115200, error));
  EXPECT_EQ(error, "/dev/null: not a tty");
  EXPECT_FALSE(open_tty("/dev/null", 1234, error));
  EXPECT_EQ(error, "/dev/null: unsupported baud rate 1234");
}

TEST(Tty, OpensRawExclusiveNonBlocking) {
  boost::asio::io_context io;
  testing::PtyAdapter pty(io);
  std::string error;
  UniqueFd fd = open_tty(pty.slave_path(), 115200, error);
  ASSERT_TRUE(fd) << error;
  EXPECT_TRUE(error.empty());
  const int flags = ::fcntl(fd.get(), F_GETFL);
  EXPECT_TRUE(flags & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC);
  int excl = 0;
  ASSERT_EQ(::ioctl(fd.get(), TIOCGEXCL, &excl), 0);
  EXPECT_EQ(excl, 1);
  termios tio{};
  ASSERT_EQ(::tcgetattr(fd.get(), &tio), 0);
  EXPECT_EQ(::cfgetospeed(&tio), B115200);
  EXPECT_EQ(tio.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
  EXPECT_FALSE(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS));
  EXPECT_FALSE(tio.c_lflag & (ICANON | ECHO | ISIG));
  EXPECT_FALSE(tio.c_iflag & (IXON | IXOFF | ICRNL));
  EXPECT_FALSE(tio.c_oflag & OPOST);
  if (::geteuid() != 0) {  // CAP_SYS_ADMIN ignores TIOCEXCL
    UniqueFd second = open_tty(pty.slave_path(), 115200, error);
    EXPECT_FALSE(second);
    EXPECT_EQ(error, pty.slave_path() + ": in use by another process");
  }
}

TEST(Tty, LineSettingsCarryTheParityAsked) {
  for (const Parity p : {Parity::none, Parity::even, Parity::odd}) {
    termios tio{};
    tio.c_cflag = CSTOPB | CRTSCTS | CS7 | PARODD;  // whatever was there before
    tio.c_iflag = IXON | ICRNL;
    tio.c_lflag = ICANON | ECHO;
    set_raw_8bit(tio, p);
    EXPECT_EQ(tio.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
    EXPECT_FALSE(tio.c_cflag & (CSTOPB | CRTSCTS)) << "one stop bit, no flow control";
    EXPECT_TRUE((tio.c_cflag & (CLOCAL | CREAD)) == (CLOCAL | CREAD));
    EXPECT_EQ((tio.c_cflag & PARENB) != 0, p != Parity::none);
    EXPECT_EQ((tio.c_cflag & PARODD) != 0, p == Parity::odd);
    EXPECT_EQ((tio.c_iflag & INPCK) != 0, p != Parity::none);
    EXPECT_FALSE(tio.c_iflag & (IXON | ICRNL));
    EXPECT_FALSE(tio.c_lflag & (ICANON | ECHO));
    EXPECT_EQ(tio.c_cc[VMIN], 1);
    EXPECT_EQ(tio.c_cc[VTIME], 0);
  }
}

TEST(Tty, OpensWithEachParity) {
  // A pty takes the settings but keeps no parity (the kernel's pty driver
  // clears PARENB), so only the open and the speed are visible here.
  boost::asio::io_context io;
  testing::PtyAdapter pty(io);
  for (const Parity p : {Parity::none, Parity::even, Parity::odd}) {
    std::string error;
    UniqueFd fd = open_tty(pty.slave_path(), 19200, p, error);
    ASSERT_TRUE(fd) << error;
    termios tio{};
    ASSERT_EQ(::tcgetattr(fd.get(), &tio), 0);
    EXPECT_EQ(::cfgetispeed(&tio), B19200);
  }
}

TEST(Pty, MasterIsRawNonBlockingAndItsSlaveOpens) {
  std::string slave;
  std::string error;
  UniqueFd master = open_pty_master(slave, error);
  ASSERT_TRUE(master) << error;
  EXPECT_TRUE(error.empty());
  EXPECT_EQ(slave.rfind("/dev/pts/", 0), 0u) << slave;
  EXPECT_TRUE(::fcntl(master.get(), F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(master.get(), F_GETFD) & FD_CLOEXEC);
  termios tio{};
  ASSERT_EQ(::tcgetattr(master.get(), &tio), 0);
  EXPECT_FALSE(tio.c_lflag & (ICANON | ECHO));
  UniqueFd tty = open_tty(slave, 115200, error);
  ASSERT_TRUE(tty) << error;
  // Bytes cross unchanged both ways (raw: no CR/LF translation).
  const char out[] = "t1008\r\n";
  ASSERT_EQ(::write(tty.get(), out, sizeof out - 1), static_cast<ssize_t>(sizeof out - 1));
  pollfd p{master.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the bytes never reached the master";
  char in[16] = {};
  const ssize_t n = ::read(master.get(), in, sizeof in);
  EXPECT_EQ(std::string(in, n > 0 ? static_cast<std::size_t>(n) : 0), std::string(out));
}

TEST(Tty, UniqueFdClosesOnceAndMoves) {
  UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(a);
  const int raw = a.get();
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.get(), raw);
  b.reset();
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed
}

}  // namespace
}  // namespace essd::hal
