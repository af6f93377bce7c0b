// SPDX-License-Identifier: MIT
#include "daemon/bus_recorder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "essd/candump_log.hpp"

namespace essd::daemon {

namespace {
constexpr auto kWorkerPeriod = std::chrono::milliseconds(50);
std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}
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
  bool is_open() const { return fd_ >= 0; }
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
      const ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
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
    if (fd_ >= 0 && ::fsync(fd_) != 0) return errno_text("cannot fsync " + req_.path);
    return {};
  }
  void close() {
    if (fd_ < 0) return;
    ::fsync(fd_);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  std::string open_file() {
    fd_ = ::open(req_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd_ < 0) return errno_text("cannot open " + req_.path);
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
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
  int fd_ = -1;
  std::uint64_t size_ = 0, limit_ = 0;
  std::string buf_;
};

BusRecorder::BusRecorder(std::function<void(RecorderReport)> on_report)
    : on_report_(std::move(on_report)), thread_([this] { run(); }) {
  queue_.reserve(kQueueCapacity);
}

BusRecorder::~BusRecorder() {
  stop();
  {
    std::lock_guard lk(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BusRecorder::start(std::string path, std::uint64_t max_bytes, std::string interface,
                        std::string header) {
  active_ = true;
  path_ = path;
  heatsink_seen_ = false;
  Item item;
  item.kind = Item::Kind::start;
  push_control(item,
               StartRequest{std::move(path), std::move(interface), std::move(header), max_bytes});
}

void BusRecorder::stop() {
  if (!active_) return;
  active_ = false;
  Item item;
  item.kind = Item::Kind::stop;
  push_control(item, std::nullopt);
}

void BusRecorder::push_control(Item item, std::optional<StartRequest> start) {
  {
    std::lock_guard lk(mu_);
    if (start) starts_.push_back(std::move(*start));
    queue_.push_back(item);  // control items are never dropped (they are rare)
    control_pending_ = true;
  }
  cv_.notify_one();
}

void BusRecorder::frame(std::int64_t time_us, const CanFrame& f) {
  if (!active_) return;
  bool wake = false;
  {
    std::lock_guard lk(mu_);
    if (frames_in_queue_ >= kQueueCapacity) {
      ++counters_.frames_dropped;
      return;
    }
    Item item;
    item.time_us = time_us;
    item.frame = f;
    queue_.push_back(item);
    ++frames_in_queue_;
    ++counters_.frames_queued;
    counters_.max_queue_depth =
        std::max<std::uint64_t>(counters_.max_queue_depth, frames_in_queue_);
    // The worker wakes on its own every 50 ms; only a half-full queue
    // hurries it (a notify per frame would cost a syscall per frame).
    wake = frames_in_queue_ == kQueueCapacity / 2;
  }
  if (wake) cv_.notify_one();
}

void BusRecorder::heatsink(std::int64_t time_us, std::optional<double> celsius) {
  if (!active_) return;
  const bool changed = !heatsink_seen_ || celsius.has_value() != last_heatsink_.has_value() ||
                       (celsius && std::fabs(*celsius - *last_heatsink_) >= 0.1);
  if (!changed) return;
  heatsink_seen_ = true;
  last_heatsink_ = celsius;
  std::lock_guard lk(mu_);
  if (frames_in_queue_ >= kQueueCapacity) return;
  Item item;
  item.kind = Item::Kind::heatsink;
  item.time_us = time_us;
  item.celsius = celsius;
  queue_.push_back(item);
  ++frames_in_queue_;
}

void BusRecorder::flush() {
  std::unique_lock lk(mu_);
  const auto gen = ++generation_;
  flush_wanted_ = true;
  cv_.notify_one();
  idle_cv_.wait(lk, [&] { return done_generation_ >= gen || quit_; });
}

RecorderCounters BusRecorder::counters() const {
  std::lock_guard lk(mu_);
  return counters_;
}

void BusRecorder::run() {
  Writer writer;
  std::vector<Item> batch;
  batch.reserve(kQueueCapacity);
  std::uint64_t lost = 0;  // frames not written since the last error
  RecorderCounters local;  // the worker's share, merged under mu_ per batch
  auto report = [&](bool error, std::string kind, std::string msg) {
    if (on_report_) on_report_(RecorderReport{error, std::move(kind), std::move(msg)});
  };
  auto fail = [&](const std::string& why) {
    writer.close();
    report(true, "record_error", why + "; recording stopped");
  };
  for (;;) {
    std::uint64_t gen = 0;
    bool want_flush = false;
    std::deque<StartRequest> starts;
    {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, kWorkerPeriod, [&] { return quit_ || control_pending_ || flush_wanted_; });
      if (quit_ && queue_.empty()) break;
      batch.swap(queue_);
      starts.swap(starts_);
      frames_in_queue_ = 0;
      control_pending_ = false;
      want_flush = flush_wanted_;
      flush_wanted_ = false;
      gen = generation_;
    }
    std::uint64_t written = 0;
    for (const auto& it : batch) {
      std::string err;
      switch (it.kind) {
        case Item::Kind::start: {
          writer.close();
          const auto req = std::move(starts.front());
          starts.pop_front();
          err = writer.open(req);
          if (err.empty()) {
            report(false, "record_start", "recording the module bus to " + req.path);
          }
          break;
        }
        case Item::Kind::stop:
          if (writer.is_open()) {
            err = writer.write_out(local);
            if (err.empty()) err = writer.sync();
            if (err.empty())
              report(false, "record_stop", "bus recording stopped: " + writer.path());
            writer.close();
          }
          break;
        case Item::Kind::frame:
          if (!writer.is_open()) {
            ++lost;
            break;
          }
          err = writer.add(format_candump_line(it.time_us, writer.interface(), it.frame), local);
          if (err.empty()) ++written;
          break;
        case Item::Kind::heatsink:
          if (writer.is_open())
            err = writer.add(format_heatsink_line(it.time_us, it.celsius), local);
          break;
      }
      if (!err.empty()) fail(err);
    }
    batch.clear();
    if (writer.is_open()) {
      if (auto err = writer.write_out(local); !err.empty()) fail(err);
      if (want_flush && writer.is_open()) {
        if (auto err = writer.sync(); !err.empty()) fail(err);
      }
    }
    {
      std::lock_guard lk(mu_);
      counters_.frames_written += written;
      counters_.frames_dropped += lost;
      counters_.bytes_written += local.bytes_written;
      counters_.rotations += local.rotations;
      counters_.write_errors += local.write_errors;
      lost = 0;
      local = RecorderCounters{};
      done_generation_ = gen;
    }
    idle_cv_.notify_all();
  }
}

}  // namespace essd::daemon
