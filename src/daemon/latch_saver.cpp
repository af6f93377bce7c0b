// SPDX-License-Identifier: MIT
#include "daemon/latch_saver.hpp"

#include "daemon/latch_file.hpp"

namespace essd::daemon {

LatchSaver::LatchSaver(std::function<void(std::string)> on_result, std::chrono::milliseconds retry,
                       Writer writer)
    : on_result_(std::move(on_result)),
      retry_(retry),
      writer_(writer ? std::move(writer) : Writer(save_latch_file)),
      thread_([this] { run(); }) {}

LatchSaver::~LatchSaver() {
  {
    std::lock_guard lk(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LatchSaver::save(std::string path, core::Latches latches) {
  {
    std::lock_guard lk(mu_);
    pending_ = Job(std::move(path), latches);
    failed_.reset();  // the newer state replaces what failed
  }
  cv_.notify_all();
}

void LatchSaver::flush() {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [this] { return !pending_ && !busy_; });
}

void LatchSaver::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    if (!pending_ && failed_ && !quit_) {
      // A failed save is retried after retry_, unless a newer state comes first.
      if (!cv_.wait_for(lk, retry_, [this] { return quit_ || pending_.has_value(); })) {
        pending_ = std::move(failed_);
        failed_.reset();
      }
    }
    cv_.wait(lk, [this] { return quit_ || pending_.has_value(); });
    if (!pending_) return;  // quit with nothing left to attempt
    Job job = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    lk.unlock();
    std::string err = writer_(job.first, job.second);
    if (on_result_) on_result_(err);
    lk.lock();
    busy_ = false;
    if (!err.empty() && !pending_) failed_ = std::move(job);
    cv_.notify_all();
  }
}

}  // namespace essd::daemon
