// SPDX-License-Identifier: MIT
// sd_notify / sd_listen_fds wrappers (libsystemd).
#include "daemon/systemd.hpp"

#include <fcntl.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>

namespace essd::systemd {

bool Notifier::enabled() const {
  const char* s = std::getenv("NOTIFY_SOCKET");
  return s != nullptr && *s != '\0';
}

void Notifier::send(const std::string& msg) {
  if (!enabled()) return;
  // sd_notify is one non-blocking sendmsg on a datagram socket: safe on the loop.
  if (sd_notify(0, msg.c_str()) <= 0) ++failures_;
}

void Notifier::ready() {
  send("READY=1");
}

void Notifier::status(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';  // one assignment per line in the protocol
  send("STATUS=" + text);
}

void Notifier::watchdog() {
  send("WATCHDOG=1");
}
void Notifier::stopping() {
  send("STOPPING=1");
}

void Notifier::reloading() {
  // MONOTONIC_USEC lets Type=notify-reload (systemd >= 253) match the reload.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long us = static_cast<long long>(ts.tv_sec) * 1000000LL + ts.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(us));
}

void Notifier::extend_timeout(std::chrono::microseconds us) {
  send("EXTEND_TIMEOUT_USEC=" + std::to_string(us.count()));
}

std::optional<std::chrono::microseconds> Notifier::watchdog_interval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec);
  return std::nullopt;
}

std::vector<int> listen_fds() {
  std::vector<int> fds;
  const int n = sd_listen_fds(1);  // 1: unset LISTEN_* so children do not inherit them
  for (int i = 0; i < n; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    const int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace essd::systemd
