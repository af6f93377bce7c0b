// SPDX-License-Identifier: MIT
#include "daemon/bus_recorder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

#include "essd/candump_log.hpp"
#include "essd/errno_text.hpp"
#include "essd/unique_fd.hpp"

namespace essd::daemon {

namespace {
constexpr auto kWorkerPeriod = std::chrono::milliseconds(50);
}  // namespace

/// The open file: appends lines, rotates by size, fsyncs on close. Worker
/// thread only.
class BusRecorder::Writer {
 public:
  ~Writer() { close(); }
  std::string open(const StartRequest& r) {
    req_ = r;
    limit_ = std::max<std::uint64_t>(r.max_bytes / 2, 4096);
    return open_file();
  }
  bool is_open() const { return static_cast<bool>(fd_); }
  const std::string& path() const { return req_.path; }
  const std::string& interface() const { return req_.interface; }
  /// Adds a line to the pending buffer, rotating first if it would not fit.
  std::string add(const std::string& line, RecorderCounters& c) {
    if (size_ + buf_.size() + line.size() > limit_) {
      if (auto e = write_out(c); !e.empty()) return e;
      if (auto e = rotate(c); !e.empty()) return e;
    }
    buf_ += line;
    return {};
  }
  std::string write_out(RecorderCounters& c) {
    std::size_t off = 0;
    while (off < buf_.size()) {
      const ssize_t n = ::write(fd_.get(), buf_.data() + off, buf_.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ++c.write_errors;
        buf_.clear();
        return errno_text("cannot write " + req_.path);
      }
      off += static_cast<std::size_t>(n);
    }
    size_ += buf_.size();
    c.bytes_written += buf_.size();
    buf_.clear();
    return {};
  }
  std::string sync() {
    if (fd_ && ::fsync(fd_.get()) != 0) return errno_text("cannot fsync " + req_.path);
    return {};
  }
  void close() {
    if (!fd_) return;
    ::fsync(fd_.get());
    fd_.reset();
  }

 private:
  std::string open_file() {
    fd_.reset(
        ::open(req_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (!fd_) return errno_text("cannot open " + req_.path);
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      close();
      return "cannot record to " + req_.path + ": not a regular file";
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    buf_ = "# " + req_.header + "\n";
    return {};
  }
  std::string rotate(RecorderCounters& c) {
    close();
    const std::string older = req_.path + ".1";
    if (::rename(req_.path.c_str(), older.c_str()) != 0) {
      return errno_text("cannot rotate " + req_.path + " to " + older);
    }
    ++c.rotations;
    return open_file();
  }

  StartRequest req_;
  UniqueFd fd_;
  std::uint64_t size_ = 0, limit_ = 0;
  std::string buf_;
};

BusRecorder::BusRecorder(std::function<void(RecorderReport)> on_report)
    : on_report_(std::move(on_report)),
      writer_(std::make_unique<Writer>()),
      worker_(BlockingWorker::Options{
          .name = "essd-record",
          .capacity = kQueueCapacity,
          .at_exit = BlockingWorker::AtExit::run_queued,
          // The worker wakes on its own every 50 ms; only a half-full queue
          // hurries it (a notify per frame would cost a syscall per frame).
          .wake_period = kWorkerPeriod,
          .after_batch = [this] { end_batch(); },
      }) {}

// stop() queues the last stop (fsync); the worker (the last member) runs
// what is queued, then joins.
BusRecorder::~BusRecorder() {
  stop();
}

void BusRecorder::start(std::string path, std::uint64_t max_bytes, std::string interface,
                        std::string header) {
  active_ = true;
  path_ = path;
  heatsink_seen_ = false;
  // Control jobs are never dropped (they are rare).
  worker_.post_unbounded([this, req = StartRequest{std::move(path), std::move(interface),
                                                   std::move(header), max_bytes}] { open(req); });
}

void BusRecorder::stop() {
  if (!active_) return;
  active_ = false;
  worker_.post_unbounded([this] { close(); });
}

void BusRecorder::frame(std::int64_t time_us, const CanFrame& f) {
  if (!active_) return;
  const bool queued = worker_.post_lazy([this, time_us, f] { write_frame(time_us, f); });
  std::lock_guard lk(counters_mu_);
  ++(queued ? counters_.frames_queued : counters_.frames_dropped);
}

void BusRecorder::heatsink(std::int64_t time_us, std::optional<double> celsius) {
  if (!active_) return;
  const bool changed = !heatsink_seen_ || celsius.has_value() != last_heatsink_.has_value() ||
                       (celsius && std::fabs(*celsius - *last_heatsink_) >= 0.1);
  if (!changed) return;
  heatsink_seen_ = true;
  last_heatsink_ = celsius;
  // A full queue skips the reading (it is not a frame: not counted as dropped).
  worker_.post_lazy([this, time_us, celsius] { write_heatsink(time_us, celsius); });
}

void BusRecorder::flush() {
  worker_.post_unbounded([this] { sync(); });
  worker_.drain();
}

RecorderCounters BusRecorder::counters() const {
  const auto depth = static_cast<std::uint64_t>(worker_.stats().high_water);
  std::lock_guard lk(counters_mu_);
  RecorderCounters c = counters_;
  c.max_queue_depth = depth;  // frames and heatsink readings, as before
  return c;
}

void BusRecorder::report(bool error, std::string kind, std::string message) {
  if (on_report_) on_report_(RecorderReport{error, std::move(kind), std::move(message)});
}

void BusRecorder::fail(const std::string& why) {
  writer_->close();
  report(true, "record_error", why + "; recording stopped");
}

void BusRecorder::open(const StartRequest& req) {
  writer_->close();
  if (auto err = writer_->open(req); !err.empty()) return fail(err);
  report(false, "record_start", "recording the module bus to " + req.path);
}

void BusRecorder::close() {
  if (!writer_->is_open()) return;
  std::string err = writer_->write_out(local_);
  if (err.empty()) err = writer_->sync();
  if (err.empty()) report(false, "record_stop", "bus recording stopped: " + writer_->path());
  writer_->close();
  if (!err.empty()) fail(err);
}

void BusRecorder::sync() {
  if (!writer_->is_open()) return;
  std::string err = writer_->write_out(local_);
  if (err.empty()) err = writer_->sync();
  if (!err.empty()) fail(err);
}

void BusRecorder::write_frame(std::int64_t time_us, const CanFrame& f) {
  if (!writer_->is_open()) {
    ++lost_;
    return;
  }
  const auto err = writer_->add(format_candump_line(time_us, writer_->interface(), f), local_);
  if (!err.empty()) return fail(err);
  ++written_;
}

void BusRecorder::write_heatsink(std::int64_t time_us, std::optional<double> celsius) {
  if (!writer_->is_open()) return;
  if (auto err = writer_->add(format_heatsink_line(time_us, celsius), local_); !err.empty()) {
    fail(err);
  }
}

// One write() for the batch's lines, then the worker's counters go public.
void BusRecorder::end_batch() {
  if (writer_->is_open()) {
    if (auto err = writer_->write_out(local_); !err.empty()) fail(err);
  }
  std::lock_guard lk(counters_mu_);
  counters_.frames_written += std::exchange(written_, 0);
  counters_.frames_dropped += std::exchange(lost_, 0);
  counters_.bytes_written += local_.bytes_written;
  counters_.rotations += local_.rotations;
  counters_.write_errors += local_.write_errors;
  local_ = RecorderCounters{};
}

}  // namespace essd::daemon
