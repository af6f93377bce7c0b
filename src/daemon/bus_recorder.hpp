// SPDX-License-Identifier: MIT
#pragma once
// Records the module bus in candump's log format (essd/candump_log.hpp),
// off the loop: the loop only hands a frame to a bounded queue (a
// BlockingWorker's, which it does not wake per frame); one worker thread
// formats, writes, rotates and fsyncs. A full queue drops the frame and counts it; a file that
// cannot be written is reported once and recording stops. Nothing here can block or throw into the
// loop. Files: FILE grows to half of max_bytes, is then renamed FILE.1 (replacing the older one)
// and a fresh FILE is started, so at most max_bytes are on disk and at least the newest half is
// kept.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "essd/blocking_worker.hpp"
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
  struct StartRequest {
    std::string path, interface, header;
    std::uint64_t max_bytes = 0;
  };
  class Writer;

  // Jobs, on the worker thread.
  void open(const StartRequest& req);
  void close();
  void sync();
  void write_frame(std::int64_t time_us, const CanFrame& frame);
  void write_heatsink(std::int64_t time_us, std::optional<double> celsius);
  void end_batch();
  void fail(const std::string& why);
  void report(bool error, std::string kind, std::string message);

  std::function<void(RecorderReport)> on_report_;
  // Loop-only state.
  bool active_ = false;
  std::string path_;
  std::optional<double> last_heatsink_;
  bool heatsink_seen_ = false;
  // Worker-only state: the open file, and the worker's share of the
  // counters, merged into counters_ after each batch.
  std::unique_ptr<Writer> writer_;
  std::uint64_t written_ = 0, lost_ = 0;  // lost_: frames not written since the last merge
  RecorderCounters local_;
  // Loop writes queued/dropped, the worker merges the rest (counters_mu_).
  mutable std::mutex counters_mu_;
  RecorderCounters counters_;
  BlockingWorker worker_;  // last: stopped before what its jobs use
};

}  // namespace essd::daemon
