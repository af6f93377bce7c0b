// SPDX-License-Identifier: MIT
#pragma once
// Persists the OV/DISCHARGE latches off the loop (rename + fsync can stall
// for a long time on flash). Only the newest value matters, so the "queue"
// is one slot: a burst of changes costs one write of the last state. A failed
// write is retried every `retry` until it succeeds or a newer state replaces
// it, so a latch is never lost silently: every attempt reports its result.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/controller.hpp"

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
  using Job = std::pair<std::string, core::Latches>;
  void run();

  std::function<void(std::string)> on_result_;
  std::chrono::milliseconds retry_;
  Writer writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Job> pending_;  // newest state not yet attempted
  std::optional<Job> failed_;   // last attempt failed: retried after retry_
  bool busy_ = false;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace essd::daemon
