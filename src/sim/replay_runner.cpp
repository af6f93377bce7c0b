// SPDX-License-Identifier: MIT
#include "sim/replay_runner.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "essd/candump_log.hpp"
#include "essd/errno_text.hpp"
#include "essd/unique_fd.hpp"

namespace essd::sim {

namespace {
std::int64_t unix_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
std::int64_t percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(std::lround(p * static_cast<double>(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}
}  // namespace

bool write_heatsink_file(const std::string& path, double celsius, std::string& error) {
  // In place and always the same length: a reader (essd's sysfs sensor)
  // keeps its fd open and preads from 0, so a rename would hide the new
  // value and a truncation could show it an empty file.
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) {
    error = errno_text("cannot write " + path);
    return false;
  }
  char buf[32];
  const auto milli = static_cast<long long>(celsius * 1000.0 + (celsius < 0 ? -0.5 : 0.5));
  const int n = std::snprintf(buf, sizeof buf, "%08lld\n", milli);
  const bool ok = ::pwrite(fd.get(), buf, static_cast<std::size_t>(n), 0) == n;
  if (!ok) error = errno_text("cannot write " + path);
  return ok;
}

ReplayRunner::ReplayRunner(boost::asio::io_context& io, ReplayLog log, ReplayOptions opt, Out out,
                           Ready ready, Note note)
    : log_(std::move(log)),
      opt_(std::move(opt)),
      clock_(log_, opt_.speed),
      out_(std::move(out)),
      ready_(std::move(ready)),
      note_(std::move(note)),
      timer_(io) {
  errors_us_.reserve(log_.frames);
  // The controller reads the sensor from its start: give it the first
  // recorded reading before the first frame.
  if (!opt_.heatsink_file.empty()) {
    for (const auto& item : log_.items) {
      if (!item.heatsink || !item.celsius) continue;
      std::string err;
      if (!write_heatsink_file(opt_.heatsink_file, *item.celsius, err)) throw ReplayError(err);
      break;
    }
  }
  if (!opt_.record_ctrl.empty()) {
    ctrl_log_.open(opt_.record_ctrl, std::ios::out | std::ios::trunc);
    if (!ctrl_log_) throw ReplayError("cannot write " + opt_.record_ctrl);
    ctrl_log_ << "# ess-sim replay: frames the controller sent\n";
  }
}

void ReplayRunner::start() {
  std::ostringstream s;
  s << "replay: " << log_.frames << " module frames, " << log_.heatsink_readings
    << " heatsink readings, " << log_.ctrl_skipped << " CTRL and " << log_.other_skipped
    << " other frames skipped, " << log_.bad_lines << " bad lines"
    << (log_.first_bad.empty() ? "" : " (first " + log_.first_bad + ")") << ", "
    << static_cast<double>(log_.items.back().at_us) / 1e6 << " s recorded, speed " << opt_.speed
    << (opt_.step ? ", stepped" : "");
  note_(s.str());
  wait_ready();
}

void ReplayRunner::stop() {
  stopped_ = true;
  timer_.cancel();
  if (!finished_) finish();
}

void ReplayRunner::wait_ready() {
  if (stopped_) return;
  if (ready_()) {
    started_ = true;
    start_ = Clock::now();
    note_("replay: started");
    if (!opt_.step) arm();
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(10));
  timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (!ec) wait_ready();
  }));
}

std::int64_t ReplayRunner::since_start_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count() +
         offset_us_;
}

void ReplayRunner::arm() {
  if (stopped_ || paused_ || opt_.step) return;
  if (clock_.done()) {
    finish();
    return;
  }
  const auto due = start_ + std::chrono::microseconds(clock_.next_due_us() - offset_us_);
  timer_.expires_at(due);
  timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (!ec) play_due();
  }));
}

void ReplayRunner::play_due() {
  // Everything due by now goes out in this wake-up (frames recorded in the
  // same millisecond leave together, as an adapter delivers them).
  while (!clock_.done() && !paused_ && clock_.next_due_us() <= since_start_us()) {
    const auto scheduled = start_ + std::chrono::microseconds(clock_.next_due_us() - offset_us_);
    emit(clock_.take(), scheduled, true);
  }
  arm();
}

void ReplayRunner::emit(const ReplayItem& item, Clock::time_point scheduled, bool timed) {
  if (item.heatsink) {
    if (opt_.heatsink_file.empty()) {
      if (!heatsink_warned_) note_("replay: heatsink readings ignored (no --heatsink-file)");
      heatsink_warned_ = true;
      return;
    }
    std::string err;
    // A failed read on the site is reproduced as an unreadable value.
    if (item.celsius ? write_heatsink_file(opt_.heatsink_file, *item.celsius, err)
                     : (std::remove(opt_.heatsink_file.c_str()), true)) {
      ++heatsink_written_;
    } else {
      note_("replay: " + err);
    }
    return;
  }
  out_(item.frame);
  if (timed) {
    errors_us_.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - scheduled).count());
  }
}

void ReplayRunner::finish() {
  if (finished_) return;
  finished_ = true;
  if (ctrl_log_.is_open()) ctrl_log_.flush();
  std::ostringstream s;
  s << "replay: finished, " << clock_.position() << " of " << log_.items.size() << " items, "
    << ctrl_frames_ << " frames from the controller; timing error p50 "
    << percentile(errors_us_, 0.5) << " us p99 " << percentile(errors_us_, 0.99) << " us max "
    << (errors_us_.empty() ? 0 : *std::max_element(errors_us_.begin(), errors_us_.end())) << " us";
  note_(s.str());
}

void ReplayRunner::on_host_frame(const CanFrame& f) {
  ++ctrl_frames_;
  if (ctrl_log_.is_open()) ctrl_log_ << format_candump_line(unix_us(), opt_.interface, f);
}

std::string ReplayRunner::command(const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "status") {
    std::ostringstream s;
    s << "ok " << clock_.position() << "/" << log_.items.size()
      << (finished_              ? " finished"
          : paused_ || opt_.step ? " paused"
          : started_             ? " playing"
                                 : " waiting");
    return s.str();
  }
  if (!started_) return "error: the host has not opened the channel yet";
  if (verb == "step") {
    long n = 1;
    if (!(in >> n)) n = 1;
    if (n < 1) return "error: step N needs N >= 1";
    opt_.step = true;
    timer_.cancel();
    long sent = 0;
    while (sent < n && !clock_.done()) {
      const auto& item = clock_.take();
      emit(item, Clock::now(), false);
      if (!item.heatsink) ++sent;
    }
    if (clock_.done()) finish();
    return "ok " + std::to_string(sent) + " frame(s), at " + std::to_string(clock_.position()) +
           "/" + std::to_string(log_.items.size());
  }
  if (verb == "pause") {
    paused_ = true;
    timer_.cancel();
    return "ok paused";
  }
  if (verb == "run") {
    paused_ = false;
    opt_.step = false;
    // Continue from where the log is: the next item is due now.
    offset_us_ += clock_.rebase_offset_us(since_start_us());
    arm();
    return "ok playing";
  }
  return "error: unknown replay command (step [N], pause, run, status)";
}

}  // namespace essd::sim
