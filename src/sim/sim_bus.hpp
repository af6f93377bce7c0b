// SPDX-License-Identifier: MIT
#pragma once
// The in-process simulator as a CanBus (essd --sim): a Simulator stepped
// every 10 ms on a steady timer in real time; its frames arrive through the
// frame handler, send() hands CTRL frames to it. SimHeatsink reads the
// simulated controller heatsink.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "essd/lifetime.hpp"
#include "hal/can/can_bus.hpp"
#include "hal/sensors/temperature_sensor.hpp"
#include "sim/simulator.hpp"

namespace essd::sim {

class SimBus : public hal::CanBus {
 public:
  /// Loads options.scenario when set; throws std::invalid_argument with
  /// "FILE:LINE: reason" for a bad scenario or bad options.
  SimBus(boost::asio::io_context& io, const SimOptions& options);
  ~SimBus() override;
  SimBus(const SimBus&) = delete;
  SimBus& operator=(const SimBus&) = delete;

  void start(FrameHandler on_frame, StateHandler on_state) override;
  void stop() override;
  bool send(const CanFrame& frame) override;
  /// In-process: hands the frame to the simulator (allocates; --sim only).
  bool send_emergency(const CanFrame& frame) noexcept override;
  hal::LinkState state() const override { return state_; }
  std::map<std::string, std::uint64_t> counters() const override;
  std::string describe() const override { return "sim"; }

  Simulator& simulator() { return sim_; }
  const Simulator& simulator() const { return sim_; }
  double heatsink_c() const { return sim_.heatsink_c(); }

 private:
  using Clock = std::chrono::steady_clock;
  MonoMs now() const;
  void schedule();
  void on_tick();

  boost::asio::io_context& io_;
  Simulator sim_;
  boost::asio::steady_timer timer_;
  Clock::time_point origin_ = Clock::now();
  Clock::time_point next_{};
  // Guards the handlers that capture this: stop() renews it, destruction
  // ends it, so a late or re-entrant handler returns.
  Lifetime lifetime_;
  bool running_ = false;
  hal::LinkState state_ = hal::LinkState::down;
  FrameHandler on_frame_;
  StateHandler on_state_;
  std::uint64_t rx_frames_ = 0, tx_frames_ = 0, tx_dropped_ = 0, late_ticks_ = 0;
};

/// The controller's heatsink temperature from a SimBus (which must outlive it).
class SimHeatsink : public hal::TemperatureSensor {
 public:
  explicit SimHeatsink(const SimBus& bus) : bus_(bus) {}
  std::optional<double> read_c() override { return bus_.heatsink_c(); }
  std::string describe() const override { return "sim:heatsink"; }

 private:
  const SimBus& bus_;
};

}  // namespace essd::sim
