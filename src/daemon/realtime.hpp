// SPDX-License-Identifier: MIT
#pragma once
// Real-time set-up of the control loop. The scheduling policy is not essd's
// own setting: it comes from where essd is started (the unit's
// CPUSchedulingPolicy=fifo, or `chrt -f N essd`). When essd finds its loop
// thread at SCHED_FIFO/SCHED_RR it locks its memory and pre-faults the
// loop's stack (no page fault, no swap-in on the interlock path), and makes
// every thread created from then on start at SCHED_OTHER: blocking work
// (SQLite history, latch file writes) must never compete with the loop.
#include <string>
#include <vector>

namespace essd::daemon::realtime {

struct Report {
  bool realtime = false;  // the loop thread runs at SCHED_FIFO or SCHED_RR
  bool memory_locked = false;
  std::string policy;                 // "SCHED_FIFO 40", "SCHED_OTHER"
  std::vector<std::string> warnings;  // what could not be done, and why
};

/// Call first in main(), on the loop thread, before any other thread exists.
Report prepare_loop_thread();

/// Call once the worker threads exist: every other thread of the process
/// still at a real-time policy (SCHED_RESET_ON_FORK refused, e.g. by a
/// seccomp filter) is set to SCHED_OTHER. Returns how many were lowered.
int lower_other_threads(std::vector<std::string>& warnings);

}  // namespace essd::daemon::realtime
