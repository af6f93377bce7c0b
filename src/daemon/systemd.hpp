// SPDX-License-Identifier: MIT
#pragma once
// Small wrappers around libsystemd's sd_notify and sd_listen_fds. Every call
// is a no-op when the daemon does not run under systemd (NOTIFY_SOCKET unset).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace essd::systemd {

class Notifier {
 public:
  /// True if NOTIFY_SOCKET is set (notifications go somewhere).
  bool enabled() const;
  void ready();                   // READY=1 (+ STATUS if given before)
  void status(std::string text);  // STATUS=... (newlines replaced by spaces)
  void watchdog();                // WATCHDOG=1
  void stopping();                // STOPPING=1
  void reloading();               // RELOADING=1 + MONOTONIC_USEC=...; send ready() after
  void extend_timeout(std::chrono::microseconds us);  // EXTEND_TIMEOUT_USEC=...
  /// WATCHDOG_USEC if the watchdog is enabled for this process; pet at a
  /// quarter of it, and only when the control loop made progress.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
  /// Number of notifications that failed to send (diagnostics).
  int failures() const { return failures_; }

 private:
  void send(const std::string& msg);
  int failures_ = 0;
};

/// File descriptors passed by socket activation (sd_listen_fds), with
/// FD_CLOEXEC set; LISTEN_* are removed from the environment. The caller owns them.
std::vector<int> listen_fds();

}  // namespace essd::systemd
