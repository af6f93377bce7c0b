// SPDX-License-Identifier: MIT
#pragma once
// What a CanBus hands its handlers: every frame and every link state with
// its detail, in order, for the transport tests to inspect.
#include <string>
#include <utility>
#include <vector>

#include "hal/can/can_bus.hpp"

namespace essd::fakes {

struct CanRecorder {
  std::vector<CanFrame> frames;
  std::vector<std::pair<hal::LinkState, std::string>> states;

  hal::CanBus::FrameHandler on_frame() {
    return [this](const CanFrame& f) { frames.push_back(f); };
  }
  hal::CanBus::StateHandler on_state() {
    return [this](hal::LinkState s, const std::string& d) { states.emplace_back(s, d); };
  }
  void start(hal::CanBus& bus) { bus.start(on_frame(), on_state()); }
};

}  // namespace essd::fakes
