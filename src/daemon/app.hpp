// SPDX-License-Identifier: MIT
#pragma once
// The daemon's composition root: builds bus, control loop, panel, history,
// API and host links on one single-threaded io_context (docs/architecture.md
// "Data flow") and owns them. main.cpp only parses the command line and runs it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/server.hpp"
#include "core/controller.hpp"
#include "daemon/api_backend.hpp"
#include "daemon/bus_recording.hpp"
#include "daemon/command_line.hpp"
#include "daemon/control_loop.hpp"
#include "daemon/devices.hpp"
#include "daemon/event_log.hpp"
#include "daemon/loop_clock.hpp"
#include "daemon/panel_driver.hpp"
#include "daemon/panel_pins.hpp"
#include "daemon/render_worker.hpp"
#include "daemon/set_op_file.hpp"
#include "daemon/systemd.hpp"
#include "essd/config.hpp"
#include "essd/lifetime.hpp"
#include "essd/unique_fd.hpp"
#include "hal/can/can_bus.hpp"
#include "hal/sensors/temperature_sensor.hpp"

namespace essd::history {
class History;
}
namespace essd::host {
class HostCanLink;
class ModbusLink;
}  // namespace essd::host

namespace essd::daemon {

/// The configuration as the command line selects it (docs/configuration.md rules).
struct LoadedConfig {
  std::optional<Config> config;
  std::vector<std::string> errors;  // "FILE:LINE: reason"
  std::vector<std::string> warnings;
  std::string source;  // file name, or "built-in defaults"
};
LoadedConfig load_config(const CommandLine& cl);

/// Start-up order and ownership: App builds the parts in the order that
/// keeps the paths open until everything that can open them is up
/// (docs/architecture.md "Start-up"), and tears them down fail safe. The
/// control loop, the API backend, the panel and the bus recording do the
/// work.
class App {
 public:
  App(boost::asio::io_context& io, CommandLine cl, Config config, std::string config_source);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// Brings everything up; on failure logs why (once) and returns the exit code.
  int start();
  /// Runs the loop until SIGTERM/SIGINT; returns the exit code.
  int run();

 private:
  std::string model_name() const;
  std::optional<StartError> start_outputs();
  void start_history_and_loop();
  std::optional<StartError> start_bus();
  int fail_start(const StartError& error);
  void start_panel();
  std::optional<StartError> start_api();
  void start_ticking();
  void start_host_links();
  void restore_set_op();
  void on_set_op(bool disconnect);
  void every_second();
  core::CoreConfig core_config(const Config& c) const;
  void on_signal(int signo);
  api::ActionResult reload_config(const std::string& who);
  void shutdown();
  void internal_error(const std::string& what);

  // First member, so released last: held from before anything is opened
  // until everything is closed (docs/api.md "Limits", second daemon).
  UniqueFd instance_lock_;
  boost::asio::io_context& io_;
  CommandLine cl_;
  Config config_;
  std::string config_source_;
  LoopClock clock_;
  systemd::Notifier notifier_;
  EventLog events_{clock_};

  // Declared in the order each refers to the ones before it; torn down in
  // reverse.
  std::unique_ptr<history::History> history_;
  std::unique_ptr<BusRecording> recording_;  // the RecordingBus in bus_ refers to it
  std::unique_ptr<hal::CanBus> bus_;
  std::unique_ptr<hal::TemperatureSensor> heatsink_;
  PanelPins pins_;
  std::unique_ptr<ControlLoop> loop_;
  std::unique_ptr<PanelDriver> panel_;
  std::unique_ptr<host::HostCanLink> host_can_;
  std::unique_ptr<host::ModbusLink> modbus_;
  std::unique_ptr<SetOpSaver> set_op_saver_;  // persisted SetOp DISCONNECT
  bool set_op_restored_ = false;
  std::unique_ptr<RenderWorker> render_;
  std::unique_ptr<ApiBackend> backend_;
  std::unique_ptr<api::Server> server_;

  boost::asio::steady_timer stop_timer_;
  boost::asio::signal_set signals_;
  bool stopping_ = false;
  int exit_code_ = kExitOk;
  // Guards the handlers that capture this: a late completion after
  // destruction does nothing.
  Lifetime lifetime_;
};

}  // namespace essd::daemon
