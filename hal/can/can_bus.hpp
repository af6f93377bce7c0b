// SPDX-License-Identifier: MIT
#pragma once
// The small interface every CAN transport implements (SocketCAN, SLCAN,
// in-process simulator). Frames arrive as callbacks on the owning
// io_context's thread; send() never blocks (it queues or drops and counts).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "essd/can_frame.hpp"

namespace essd::hal {

enum class LinkState { down, up, error_passive, bus_off };

constexpr std::string_view to_string(LinkState s) {
  switch (s) {
    case LinkState::down:
      return "down";
    case LinkState::up:
      return "up";
    case LinkState::error_passive:
      return "error_passive";
    case LinkState::bus_off:
      return "bus_off";
  }
  return "?";
}

class CanBus {
 public:
  using FrameHandler = std::function<void(const CanFrame&)>;
  /// Called once per state change, with a human-readable detail
  /// ("no such device can0", "reopened /dev/ttyACM0", ...).
  using StateHandler = std::function<void(LinkState, const std::string& detail)>;

  virtual ~CanBus() = default;

  /// Begin I/O (open, configure, start reading). Errors are reported through
  /// the state handler, never thrown, except for invalid arguments.
  virtual void start(FrameHandler on_frame, StateHandler on_state) = 0;
  /// Stop all I/O and cancel timers; no handler is called afterwards.
  virtual void stop() = 0;
  /// Queue a frame for transmission; false if it was dropped (link down,
  /// queue full); drops are counted.
  virtual bool send(const CanFrame& frame) = 0;
  /// The last frame before an internal-error exit (daemon/fail_safe.hpp):
  /// written at once on the already-open fd, from a terminate or fatal-signal
  /// handler, so no allocation, no lock, no queue; bounded wait. False when
  /// it could not be written. Pure virtual so that no backend or wrapper can
  /// forget it (a defaulted false once lost the final CTRL behind a wrapper).
  virtual bool send_emergency(const CanFrame& frame) noexcept = 0;
  virtual LinkState state() const = 0;
  /// Named counters: rx_frames, tx_frames, tx_dropped, rx_errors, ... plus
  /// transport specific ones (slcan_garbage, rxq_overflow, ...).
  virtual std::map<std::string, std::uint64_t> counters() const = 0;
  /// "socketcan:can0", "slcan:/dev/ttyACM0", "sim".
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
