// SPDX-License-Identifier: MIT
#include "daemon/latch_saver.hpp"

#include <exception>

#include "daemon/latch_file.hpp"

namespace essd::daemon {

LatchSaver::LatchSaver(std::function<void(std::string)> on_result, std::chrono::milliseconds retry,
                       Writer writer)
    : on_result_(std::move(on_result)),
      retry_(retry),
      writer_(writer ? std::move(writer) : Writer(save_latch_file)),
      // One slot: only the newest state is written; the destructor makes one
      // attempt at what is pending (no retry then), then joins.
      worker_("essd-latch", 1) {}

LatchSaver::~LatchSaver() = default;

void LatchSaver::save(std::string path, core::Latches latches) {
  // Replaces a state not yet attempted, and cancels the retry of one that failed.
  worker_.post_latest(0,
                      [this, path = std::move(path), latches] { return attempt(path, latches); });
}

void LatchSaver::flush() {
  worker_.drain();
}

BlockingWorker::RetryAfter LatchSaver::attempt(const std::string& path,
                                               const core::Latches& latches) {
  std::string err;
  try {
    err = writer_(path, latches);
  } catch (const std::exception& e) {
    err = std::string("cannot save the latch state: ") + e.what();  // reported and retried
  }
  if (on_result_) on_result_(err);
  if (err.empty()) return std::nullopt;
  return retry_;  // again after retry_, unless a newer state comes first
}

}  // namespace essd::daemon
