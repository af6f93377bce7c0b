// SPDX-License-Identifier: MIT
#pragma once
// A CanBus for the host link tests: records sent frames, lets the test
// inject received frames and state changes, and can refuse to send.
#include <memory>
#include <vector>

#include "hal/can/can_bus.hpp"

namespace essd::host::test {

struct FakeCanBusState {
  std::vector<CanFrame> sent;
  hal::CanBus::FrameHandler on_frame;
  hal::CanBus::StateHandler on_state;
  hal::LinkState state = hal::LinkState::up;
  bool accept = true;
  bool started = false;
  int stops = 0;
};

class FakeCanBus : public hal::CanBus {
 public:
  explicit FakeCanBus(std::shared_ptr<FakeCanBusState> st) : st_(std::move(st)) {}
  void start(FrameHandler on_frame, StateHandler on_state) override {
    st_->on_frame = std::move(on_frame);
    st_->on_state = std::move(on_state);
    st_->started = true;
  }
  void stop() override {
    st_->on_frame = nullptr;
    st_->on_state = nullptr;
    st_->started = false;
    ++st_->stops;
  }
  bool send(const CanFrame& f) override {
    if (!st_->accept) return false;
    st_->sent.push_back(f);
    return true;
  }
  bool send_emergency(const CanFrame&) noexcept override { return false; }
  hal::LinkState state() const override { return st_->state; }
  std::map<std::string, std::uint64_t> counters() const override {
    return {{"tx_frames", st_->sent.size()}};
  }
  std::string describe() const override { return "fake"; }

 private:
  std::shared_ptr<FakeCanBusState> st_;
};

}  // namespace essd::host::test
