// SPDX-License-Identifier: MIT
#include "hal/serial/tty.hpp"

#include "hal/serial/tty_settings.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace essd::hal {
namespace {

struct BaudEntry {
  int baud;
  speed_t speed;
};

constexpr BaudEntry kBauds[] = {
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};

bool speed_for(int baud, speed_t& out) {
  for (const auto& e : kBauds) {
    if (e.baud == baud) {
      out = e.speed;
      return true;
    }
  }
  return false;
}

std::string describe_errno(int err) {
  switch (err) {
    case ENOENT:
      return "no such device";
    case ENODEV:
    case ENXIO:
      return "no such device (unplugged?)";
    case EACCES:
    case EPERM:
      return "permission denied";
    case EBUSY:
      return "in use by another process";
    case ENOTTY:
      return "not a tty";
    default:
      return std::strerror(err);
  }
}

}  // namespace

void set_raw_8bit(termios& tio, Parity parity) {
  ::cfmakeraw(&tio);
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
  tio.c_cflag |= CS8 | CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(PARODD);
  if (parity != Parity::none) {
    tio.c_cflag |= PARENB;
    if (parity == Parity::odd) tio.c_cflag |= PARODD;
    tio.c_iflag |= INPCK;  // a byte with a parity error reads as NUL: its frame's CRC fails
  }
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
}

bool is_supported_baud(int baud) {
  speed_t s{};
  return speed_for(baud, s);
}

UniqueFd open_tty(const std::string& path, int baud, std::string& error) {
  return open_tty(path, baud, Parity::none, error);
}

UniqueFd open_tty(const std::string& path, int baud, Parity parity, std::string& error) {
  speed_t speed{};
  if (!speed_for(baud, speed)) {
    error = path + ": unsupported baud rate " + std::to_string(baud);
    return {};
  }
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    error = path + ": " + describe_errno(errno);
    return {};
  }
  if (!::isatty(fd.get())) {
    error = path + ": not a tty";
    return {};
  }
  // Exclusive mode stops a second daemon (or a stray screen session) from
  // stealing half of the adapter's bytes. ioctl succeeds or we refuse.
  if (::ioctl(fd.get(), TIOCEXCL) != 0) {
    error = path + ": TIOCEXCL: " + describe_errno(errno);
    return {};
  }
  termios tio{};
  if (::tcgetattr(fd.get(), &tio) != 0) {
    error = path + ": " + describe_errno(errno);
    return {};
  }
  set_raw_8bit(tio, parity);
  if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 ||
      ::tcsetattr(fd.get(), TCSANOW, &tio) != 0) {
    error = path + ": cannot configure: " + describe_errno(errno);
    return {};
  }
  // Stale bytes from before we opened would only be garbage to the decoder.
  ::tcflush(fd.get(), TCIOFLUSH);
  error.clear();
  return fd;
}

}  // namespace essd::hal
