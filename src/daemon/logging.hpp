// SPDX-License-Identifier: MIT
#pragma once
// Logging for the daemon. Interactive: spdlog to stderr. Under systemd
// (JOURNAL_STREAM naming our stderr, or NOTIFY_SOCKET set, or forced):
// journald through sd_journal_send with structured fields, so that
// `journalctl -u essd ESSD_EVENT=path_open` works. Events are rate limited
// per kind+cause (at most 5 lines per 10 s; then one "suppressed N" line).
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "essd/event.hpp"
#include "essd/time.hpp"

namespace essd::logging {

/// Sets up the default spdlog logger (stderr or journald sink). The level
/// comes from SPDLOG_LEVEL (e.g. SPDLOG_LEVEL=debug), default info.
void init_logging(bool force_journal = false);
/// True once init_logging chose journald.
bool journal_active();

/// Log one event (rate limited per kind+cause, steady clock).
void log_event(const Event& e);
/// Call about once a second: returns a `log_suppressed` event ("suppressed N
/// log lines for KIND/CAUSE in 10 s", cause = KIND/CAUSE) for every rate limit
/// window that ended with suppressed lines. Not logged here: pass each to
/// log_event() and the history like any other event. (If a key logs again
/// before housekeeping ran, log_event() writes the summary line itself.)
std::vector<Event> log_housekeeping();

/// journald PRIORITY for a severity (syslog levels: error 3, warning 4, info 6).
int journal_priority(Severity s);
/// The journald fields for an event, "NAME=value" each.
std::vector<std::string> journal_fields(const Event& e);

/// Pure per-key rate limiter in virtual time: at most `max_lines` lines per
/// key in a fixed window that starts with the key's first line.
class RateLimiter {
 public:
  struct Verdict {
    bool emit = false;
    int suppressed_before = 0;  // a window for this key ended with this many suppressed
  };
  struct Summary {
    std::string key;
    int suppressed = 0;
  };

  explicit RateLimiter(int max_lines = 5, MonoMs window_ms = 10'000, std::size_t max_keys = 1024);

  Verdict allow(std::string_view key, MonoMs now);
  /// Windows that have ended: summaries of those with suppressed lines;
  /// the ended windows are forgotten (memory stays bounded).
  std::vector<Summary> expire(MonoMs now);
  std::size_t tracked_keys() const { return windows_.size(); }

 private:
  struct Window {
    MonoMs start = 0;
    int lines = 0;
    int suppressed = 0;
  };
  int max_lines_;
  MonoMs window_ms_;
  std::size_t max_keys_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace essd::logging
