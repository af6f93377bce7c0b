// SPDX-License-Identifier: MIT
#pragma once
// Refused privileged commands, summarised per peer uid (docs/api.md "Limits"): the
// first refusal is reported at once, later ones at most once a window with
// their count, so a peer pipelining `reload` cannot flood the history (and
// trim away the path changes an operator needs). Pure: time is passed in.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "essd/time.hpp"

namespace essd::daemon {

class RefusalSummary {
 public:
  static constexpr MonoMs kWindowMs = 60'000;
  static constexpr std::size_t kMaxUids = 4096;  // beyond: one shared entry

  struct Report {
    uid_t uid;
    pid_t pid;            // of the last refused request
    std::string cmd;      // the last refused command (with its detail)
    std::uint64_t count;  // refusals since the previous report for this uid
  };

  /// One refusal; a report when one is due now.
  std::optional<Report> refuse(uid_t uid, pid_t pid, const std::string& cmd, MonoMs now);
  /// Reports for uids whose window has ended with refusals not yet reported.
  std::vector<Report> expire(MonoMs now);

 private:
  struct Entry {
    MonoMs last_report = 0;
    std::uint64_t pending = 0;
    pid_t pid = 0;
    std::string cmd;
  };
  std::unordered_map<uid_t, Entry> entries_;
};

}  // namespace essd::daemon
