// SPDX-License-Identifier: MIT
#include "daemon/realtime.hpp"

#include <dirent.h>
#include <malloc.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "essd/errno_text.hpp"

namespace essd::daemon::realtime {

namespace {

constexpr std::size_t kStackPrefault = std::size_t{256} * 1024;

std::string policy_name(int policy, int priority) {
  switch (policy & ~SCHED_RESET_ON_FORK) {
    case SCHED_FIFO:
      return "SCHED_FIFO " + std::to_string(priority);
    case SCHED_RR:
      return "SCHED_RR " + std::to_string(priority);
    case SCHED_BATCH:
      return "SCHED_BATCH";
    case SCHED_IDLE:
      return "SCHED_IDLE";
    default:
      return "SCHED_OTHER";
  }
}

// Touches the stack the loop will use, so that its pages are resident (and,
// with mlockall, locked) before the first frame arrives.
__attribute__((noinline)) void prefault_stack() {
  volatile unsigned char area[kStackPrefault];
  for (std::size_t i = 0; i < sizeof area; i += 4096) area[i] = 0;
  area[sizeof area - 1] = 0;
}

}  // namespace

Report prepare_loop_thread() {
  Report r;
  const int policy = ::sched_getscheduler(0);
  sched_param param{};
  ::sched_getparam(0, &param);
  r.policy = policy_name(policy, param.sched_priority);
  const int base = policy & ~SCHED_RESET_ON_FORK;
  r.realtime = base == SCHED_FIFO || base == SCHED_RR;
  if (!r.realtime) return r;

  // Threads created from now on start at SCHED_OTHER (the same policy and
  // priority are kept for this thread, so no privilege is needed).
  // (CPUSchedulingResetOnFork=yes in the unit has set it already.)
  if ((policy & SCHED_RESET_ON_FORK) == 0 &&
      ::sched_setscheduler(0, base | SCHED_RESET_ON_FORK, &param) != 0) {
    r.warnings.push_back(errno_text("sched_setscheduler(SCHED_RESET_ON_FORK)") +
                         "; worker threads are lowered one by one");
  }
  // Lock what is mapped now and whatever is faulted in later. MCL_ONFAULT
  // keeps reserved but unused memory (thread stacks) out of RSS.
  r.memory_locked = ::mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0;
  if (!r.memory_locked) {
    r.warnings.push_back(errno_text("mlockall") + " (raise LimitMEMLOCK)");
  }
  // Keep freed heap in the process: no munmap/brk shrink, no fresh faults.
  ::mallopt(M_TRIM_THRESHOLD, -1);
  ::mallopt(M_MMAP_MAX, 0);
  prefault_stack();
  return r;
}

int lower_other_threads(std::vector<std::string>& warnings) {
  const pid_t self = static_cast<pid_t>(::syscall(SYS_gettid));
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/proc/self/task"), ::closedir);
  if (!dir) {
    warnings.push_back(errno_text("/proc/self/task"));
    return 0;
  }
  int lowered = 0;
  while (dirent* e = ::readdir(dir.get())) {
    const pid_t tid = static_cast<pid_t>(std::atoi(e->d_name));
    if (tid <= 0 || tid == self) continue;
    const int policy = ::sched_getscheduler(tid) & ~SCHED_RESET_ON_FORK;
    if (policy != SCHED_FIFO && policy != SCHED_RR) continue;
    sched_param normal{};
    if (::sched_setscheduler(tid, SCHED_OTHER, &normal) == 0) {
      ++lowered;
    } else {
      warnings.push_back(errno_text("thread " + std::to_string(tid)));
    }
  }
  return lowered;
}

}  // namespace essd::daemon::realtime
