// SPDX-License-Identifier: MIT
#include "hal/serial/pty.hpp"
#include "essd/errno_text.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>

#include <cerrno>
#include <cstring>

namespace essd::hal {

UniqueFd open_pty_master(std::string& slave_path, std::string& error) {
  const auto fail = [&error](const char* call) {
    error = errno_text(call);
    return UniqueFd{};
  };
  UniqueFd fd(::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return fail("posix_openpt");
  if (::grantpt(fd.get()) != 0) return fail("grantpt");
  if (::unlockpt(fd.get()) != 0) return fail("unlockpt");
  // Raw: byte-at-a-time; the host's own termios calls on the slave change
  // the same settings later.
  termios tio{};
  if (::tcgetattr(fd.get(), &tio) != 0) return fail("tcgetattr");
  ::cfmakeraw(&tio);
  if (::tcsetattr(fd.get(), TCSANOW, &tio) != 0) return fail("tcsetattr");
  char name[128];
  if (::ptsname_r(fd.get(), name, sizeof name) != 0) return fail("ptsname_r");
  slave_path = name;
  error.clear();
  return fd;
}

void flush_tty(int fd) {
  ::tcflush(fd, TCIOFLUSH);  // nothing to do on failure: the fd is going away or not a tty
}

}  // namespace essd::hal
