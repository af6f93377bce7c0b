#include "daemon/latch_saver.hpp"

#include "core/latch_file.hpp"

namespace essd::daemon {

LatchSaver::LatchSaver(std::function<void(std::string)> on_result)
    : on_result_(std::move(on_result)), thread_([this] { run(); }) {}

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
    pending_ = std::make_pair(std::move(path), latches);
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
    cv_.wait(lk, [this] { return quit_ || pending_.has_value(); });
    if (!pending_) return;  // quit with nothing left to write
    auto job = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    lk.unlock();
    std::string err = core::save_latches(job.first, job.second);
    if (on_result_) on_result_(err);
    lk.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace essd::daemon
