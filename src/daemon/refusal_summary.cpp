// SPDX-License-Identifier: MIT
#include "daemon/refusal_summary.hpp"

namespace essd::daemon {

std::optional<RefusalSummary::Report> RefusalSummary::refuse(uid_t uid, pid_t pid,
                                                             const std::string& cmd, MonoMs now) {
  // A flood of distinct uids (only root can make one) shares one entry.
  if (entries_.size() >= kMaxUids && !entries_.count(uid)) uid = static_cast<uid_t>(-1);
  auto [it, fresh] = entries_.try_emplace(uid);
  Entry& e = it->second;
  ++e.pending;
  e.pid = pid;
  e.cmd = cmd;
  if (!fresh && now - e.last_report < kWindowMs) return std::nullopt;
  Report r{uid, pid, cmd, e.pending};
  e.last_report = now;
  e.pending = 0;
  return r;
}

std::vector<RefusalSummary::Report> RefusalSummary::expire(MonoMs now) {
  std::vector<Report> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    if (now - e.last_report < kWindowMs) {
      ++it;
    } else if (e.pending > 0) {
      out.push_back(Report{it->first, e.pid, e.cmd, e.pending});
      e.last_report = now;
      e.pending = 0;
      ++it;
    } else {
      it = entries_.erase(it);  // a quiet window: the next refusal reports at once
    }
  }
  return out;
}

}  // namespace essd::daemon
