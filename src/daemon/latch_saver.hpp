// SPDX-License-Identifier: MIT
#pragma once
// Persists the OV/DISCHARGE latches off the loop (rename + fsync can stall
// for a long time on flash). Only the newest value matters, so the "queue"
// is one slot: a burst of changes costs one write of the last state. A failed
// write is retried every `retry` until it succeeds or a newer state replaces
// it, so a latch is never lost silently: every attempt reports its result
// (a writer that throws counts as a failed attempt). The slot, the retry
// and the thread are the BlockingWorker's.
#include <chrono>
#include <functional>
#include <string>

#include "core/controller.hpp"
#include "essd/blocking_worker.hpp"

namespace essd::daemon {

class LatchSaver {
 public:
  using Writer = std::function<std::string(const std::string& path, const core::Latches&)>;
  /// `on_result(error)` runs on the worker thread after each attempt
  /// ("" = saved); the owner posts it to the loop. `writer` defaults to
  /// save_latch_file().
  explicit LatchSaver(std::function<void(std::string)> on_result,
                      std::chrono::milliseconds retry = std::chrono::seconds(1),
                      Writer writer = {});
  ~LatchSaver();  // writes what is pending (one attempt), then joins
  LatchSaver(const LatchSaver&) = delete;
  LatchSaver& operator=(const LatchSaver&) = delete;

  void save(std::string path, core::Latches latches);
  /// Blocks until the newest state has had one attempt (shutdown).
  void flush();

 private:
  BlockingWorker::RetryAfter attempt(const std::string& path, const core::Latches& latches);

  std::function<void(std::string)> on_result_;
  std::chrono::milliseconds retry_;
  Writer writer_;
  BlockingWorker worker_;  // last: stopped before what its jobs use
};

}  // namespace essd::daemon
