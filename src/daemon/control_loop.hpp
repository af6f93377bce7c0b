// SPDX-License-Identifier: MIT
#pragma once
// The control loop: module-bus frames, the interlock inputs and the 100 ms
// tick feed the controller; after every input the path outputs, the
// immediate CTRL frame, the latch file and the events are handled at once
// (no waiting for the next period). It pets the systemd watchdog, and only
// when the controller made progress. It owns the controller and the latch
// saver; it drives the pins, the bus and the host links the App owns.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "core/controller.hpp"
#include "daemon/event_log.hpp"
#include "daemon/latch_saver.hpp"
#include "daemon/loop_clock.hpp"
#include "daemon/loop_lag.hpp"
#include "daemon/panel_pins.hpp"
#include "daemon/systemd.hpp"
#include "essd/lifetime.hpp"
#include "hal/can/can_bus.hpp"
#include "hal/sensors/temperature_sensor.hpp"

namespace essd::host {
class HostCanLink;
class ModbusLink;
}  // namespace essd::host

namespace essd::daemon {

class BusRecorder;

class ControlLoop {
 public:
  /// What the rest of the daemon does with the loop's results.
  struct Hooks {
    /// After each tick's CTRL and outputs, with its snapshot (panel, API).
    std::function<void(const SystemSnapshot&)> after_tick;
    /// Once a second, after a tick (housekeeping).
    std::function<void(const SystemSnapshot&)> every_second;
    /// A controller event changed the status now, not at the next tick.
    std::function<void(const SystemSnapshot&)> status_changed;
  };
  struct Devices {
    PanelPins* pins = nullptr;  // outputs and interlock inputs (required)
    hal::CanBus* bus = nullptr;
    hal::TemperatureSensor* heatsink = nullptr;
    BusRecorder* recorder = nullptr;  // the heatsink readings go into the recording
    host::HostCanLink* host_can = nullptr;
    host::ModbusLink* modbus = nullptr;
  };

  /// The controller with the persisted `latches`; paths open. The latches
  /// are saved to `state_file` whenever they change.
  ControlLoop(boost::asio::io_context& io, const LoopClock& clock, EventLog& events,
              systemd::Notifier& notifier, core::CoreConfig config, const core::Latches& latches,
              std::string state_file);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  void set_hooks(Hooks hooks) { hooks_ = std::move(hooks); }
  /// Each device as it comes up; the pins before anything else.
  Devices& devices() { return devices_; }

  /// Watches the interlock inputs and the DISP button (`on_disp`).
  void start_inputs(std::function<void(bool)> on_disp);
  /// Takes the watchdog interval and fires the first tick at once.
  void start_ticking();
  /// Fail safe: timers cancelled, both paths open, the final CTRL (mode
  /// normal, both open) sent; nothing closes a path afterwards.
  void stop();
  /// After an internal error (the paths were opened by fail_safe): nothing
  /// closes a path again, no I/O here.
  void halt() { stopping_ = true; }

  // Inputs.
  void on_frame(const CanFrame& frame);
  void on_bus_state(hal::LinkState state, const std::string& detail);
  void update_inputs();
  void set_maintenance(bool on);
  /// A SetOp DISCONNECT (restored or from the host); kept for a fresh start.
  void set_host_disconnect(bool disconnect);
  void reconfigure(core::CoreConfig config);
  /// The outputs, the immediate CTRL, the latch file and the events after
  /// any input.
  void after_input();
  /// The path and power-hold outputs from the controller (open while stopping).
  void apply_outputs();
  /// Events of the controller and the host links to the log.
  void drain_events();

  SystemSnapshot snapshot() const { return controller_->snapshot(clock_.now()); }
  const core::Controller& controller() const { return *controller_; }
  bool stopping() const { return stopping_; }
  /// The bus section of the API's counters (the controller's and the CTRL counters).
  nlohmann::json bus_counters() const;
  /// The loop section of the API's counters.
  nlohmann::json loop_counters() const;
  std::uint64_t heatsink_errors() const { return heatsink_errors_; }
  std::uint64_t fresh_starts() const { return fresh_starts_; }
  /// Blocks until the newest latch state has had one attempt (shutdown).
  void flush_latches() { latch_saver_->flush(); }

 private:
  void arm_tick();
  void on_tick();
  void read_heatsink(MonoMs t);
  void pet_watchdog(std::chrono::steady_clock::time_point fired);
  void send_ctrl();
  void arm_deadline();
  void on_save_result(const std::string& error);
  void fresh_start();
  core::PanelInputs read_inputs() const;
  void host_links_after_input();
  void report_failed_inputs();
  void notify_status(const SystemSnapshot& snap);

  boost::asio::io_context& io_;
  const LoopClock& clock_;
  EventLog& events_;
  systemd::Notifier& notifier_;
  core::CoreConfig config_;
  std::string state_file_;
  std::unique_ptr<core::Controller> controller_;
  std::unique_ptr<LatchSaver> latch_saver_;
  Devices devices_;
  Hooks hooks_;

  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer deadline_timer_;  // the controller's next_deadline(): losses
  std::optional<MonoMs> armed_deadline_;
  std::chrono::steady_clock::time_point next_tick_{};
  std::optional<std::chrono::microseconds> watchdog_interval_;
  std::chrono::steady_clock::time_point last_watchdog_{};
  std::uint64_t ticks_ = 0;
  std::uint64_t ticks_at_last_pet_ = 0;
  MonoMs last_housekeeping_ = 0;
  std::string last_status_text_;
  LoopLag lag_;
  std::uint64_t ctrl_sent_ = 0, ctrl_dropped_ = 0, ctrl_immediate_ = 0;
  std::uint64_t heatsink_errors_ = 0;
  std::uint64_t fresh_starts_ = 0;
  bool host_disconnect_ = false;     // last SetOp, kept for a fresh start
  bool state_file_failing_ = false;  // the last latch save failed
  bool host_saw_charge_closed_ = false, host_saw_discharge_closed_ = false;
  unsigned failed_inputs_reported_ = 0;  // bit per interlock input
  bool stopping_ = false;
  // Guards the handlers that capture this: a late completion after
  // destruction does nothing.
  Lifetime lifetime_;
};

}  // namespace essd::daemon
