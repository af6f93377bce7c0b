// SPDX-License-Identifier: MIT
#pragma once
// Records the module bus in candump's log format (essd/candump_log.hpp),
// off the loop: the loop only copies a frame into a bounded queue under a
// mutex held for a push; one worker thread formats, writes, rotates and
// fsyncs. A full queue drops the frame and counts it; a file that cannot be
// written is reported once and recording stops. Nothing here can block or
// throw into the loop. Files: FILE grows to half of max_bytes, is then
// renamed FILE.1 (replacing the older one) and a fresh FILE is started, so
// at most max_bytes are on disk and at least the newest half is kept.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "essd/can_frame.hpp"

namespace essd::daemon {

struct RecorderReport {
  bool error = false;  // else informational
  std::string kind;    // "record_start", "record_stop", "record_error"
  std::string message;
};

struct RecorderCounters {
  std::uint64_t frames_queued = 0, frames_written = 0, frames_dropped = 0;
  std::uint64_t bytes_written = 0, rotations = 0, write_errors = 0, max_queue_depth = 0;
};

class BusRecorder {
 public:
  static constexpr std::size_t kQueueCapacity = 16384;

  /// `on_report` runs on the worker thread; the owner posts it to its loop.
  explicit BusRecorder(std::function<void(RecorderReport)> on_report);
  ~BusRecorder();  // stops (fsync) and joins
  BusRecorder(const BusRecorder&) = delete;
  BusRecorder& operator=(const BusRecorder&) = delete;

  /// Loop side. `interface` names the bus in each line, `header` is written
  /// as a "# " comment at the top of every file. A running recording is
  /// closed first. The file is opened (appending) by the worker; a failure
  /// comes back as a record_error report.
  void start(std::string path, std::uint64_t max_bytes, std::string interface, std::string header);
  void stop();
  bool active() const { return active_; }
  const std::string& path() const { return path_; }

  /// A frame received or sent at `time_us` (Unix epoch). Never blocks.
  void frame(std::int64_t time_us, const CanFrame& frame);
  /// A heatsink reading; written only when it changed by 0.1 degC or more
  /// (or turned into / out of a failed read).
  void heatsink(std::int64_t time_us, std::optional<double> celsius);

  /// Blocks until everything queued is written and fsynced (shutdown, tests).
  void flush();
  RecorderCounters counters() const;

 private:
  struct Item {
    enum class Kind : std::uint8_t { frame, heatsink, start, stop } kind = Kind::frame;
    std::int64_t time_us = 0;
    CanFrame frame;
    std::optional<double> celsius;
  };
  struct StartRequest {
    std::string path, interface, header;
    std::uint64_t max_bytes = 0;
  };
  class Writer;

  void push_control(Item item, std::optional<StartRequest> start);
  void run();

  std::function<void(RecorderReport)> on_report_;
  // Loop-only state.
  bool active_ = false;
  std::string path_;
  std::optional<double> last_heatsink_;
  bool heatsink_seen_ = false;
  // Shared with the worker (mu_).
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::vector<Item> queue_;
  std::deque<StartRequest> starts_;
  std::size_t frames_in_queue_ = 0;
  bool control_pending_ = false, busy_ = false, quit_ = false, flush_wanted_ = false;
  std::uint64_t generation_ = 0, done_generation_ = 0;
  // Counters (loop writes queued/dropped under mu_, worker writes the rest).
  RecorderCounters counters_;
  std::thread thread_;
};

}  // namespace essd::daemon
