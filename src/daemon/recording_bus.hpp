// SPDX-License-Identifier: MIT
#pragma once
// A CanBus that hands every frame it receives or sends to a BusRecorder on
// its way through. The recorder costs the loop one queue push per frame and
// nothing at all while it is off.
#include <chrono>
#include <memory>

#include "daemon/bus_recorder.hpp"
#include "hal/can/can_bus.hpp"

namespace essd::daemon {

inline std::int64_t unix_time_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RecordingBus final : public hal::CanBus {
 public:
  RecordingBus(std::unique_ptr<hal::CanBus> inner, BusRecorder& recorder)
      : inner_(std::move(inner)), recorder_(recorder) {}

  void start(FrameHandler on_frame, StateHandler on_state) override {
    inner_->start(
        [this, on_frame = std::move(on_frame)](const CanFrame& f) {
          if (recorder_.active()) recorder_.frame(unix_time_us(), f);
          on_frame(f);
        },
        std::move(on_state));
  }
  void stop() override { inner_->stop(); }
  bool send(const CanFrame& frame) override {
    const bool sent = inner_->send(frame);
    // Only what went out: a dropped CTRL frame never reached the bus.
    if (sent && recorder_.active()) recorder_.frame(unix_time_us(), frame);
    return sent;
  }
  // Passed straight through: the final CTRL must reach the bus whether or
  // not a recording is running (it is not recorded; the process is exiting).
  bool send_emergency(const CanFrame& frame) noexcept override {
    return inner_->send_emergency(frame);
  }
  hal::LinkState state() const override { return inner_->state(); }
  std::map<std::string, std::uint64_t> counters() const override { return inner_->counters(); }
  std::string describe() const override { return inner_->describe(); }

 private:
  std::unique_ptr<hal::CanBus> inner_;
  BusRecorder& recorder_;
};

}  // namespace essd::daemon
