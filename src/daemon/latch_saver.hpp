#pragma once
// Persists the OV/DISCHARGE latches off the loop (rename + fsync can stall
// for a long time on flash). Only the newest value matters, so the "queue"
// is one slot: a burst of changes costs one write of the last state.
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
  /// `on_result(error)` runs on the worker thread after each write ("" = ok);
  /// the owner posts it to the loop.
  explicit LatchSaver(std::function<void(std::string)> on_result);
  ~LatchSaver();  // writes what is pending, then joins
  LatchSaver(const LatchSaver&) = delete;
  LatchSaver& operator=(const LatchSaver&) = delete;

  void save(std::string path, core::Latches latches);
  /// Blocks until nothing is pending (shutdown).
  void flush();

 private:
  void run();

  std::function<void(std::string)> on_result_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::pair<std::string, core::Latches>> pending_;
  bool busy_ = false;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace essd::daemon
