// SPDX-License-Identifier: MIT
#pragma once
// The daemon: wires bus, controller, panel, history, API and host links on
// one single-threaded io_context (docs/architecture.md "Data flow"). It is
// also the API's Backend. main.cpp only parses the command line and runs it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/backend.hpp"
#include "api/server.hpp"
#include "core/controller.hpp"
#include "daemon/bus_recorder.hpp"
#include "daemon/command_line.hpp"
#include "daemon/devices.hpp"
#include "daemon/latch_saver.hpp"
#include "daemon/loop_lag.hpp"
#include "daemon/panel_pins.hpp"
#include "daemon/refusal_summary.hpp"
#include "daemon/render_worker.hpp"
#include "daemon/set_op_file.hpp"
#include "daemon/systemd.hpp"
#include "essd/config.hpp"
#include "essd/lifetime.hpp"
#include "hal/can/can_bus.hpp"
#include "hal/lcd/lcd.hpp"
#include "hal/sensors/temperature_sensor.hpp"
#include "panel/panel_model.hpp"

namespace essd::history {
class History;
}
namespace essd::host {
class HostCanLink;
class ModbusLink;
}  // namespace essd::host
namespace essd::sim {
class SimBus;
}

namespace essd::daemon {

/// The configuration as the command line selects it (docs/configuration.md rules).
struct LoadedConfig {
  std::optional<Config> config;
  std::vector<std::string> errors;  // "FILE:LINE: reason"
  std::vector<std::string> warnings;
  std::string source;  // file name, or "built-in defaults"
};
LoadedConfig load_config(const CommandLine& cl);

class App : public api::Backend {
 public:
  App(boost::asio::io_context& io, CommandLine cl, Config config, std::string config_source);
  ~App() override;
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// Brings everything up; on failure prints why and returns the exit code.
  int start();
  /// Runs the loop until SIGTERM/SIGINT; returns the exit code.
  int run();

  // ---- api::Backend ----
  std::string model_name() const override;
  SystemSnapshot snapshot() override;
  api::TimeRef time_ref() const override;
  std::int64_t uptime_s() const override;
  PanelView display() override;
  nlohmann::json counters() override;
  void events(std::optional<std::uint64_t> after, int limit, EventsDone done) override;
  void render(std::function<std::string()> build, std::function<void(std::string)> done) override;
  void audit(const api::Peer& peer, const std::string& cmd, const std::string& detail,
             bool allowed) override;
  api::ActionResult maintenance(bool on, const api::Peer& peer) override;
  api::ActionResult button(essd::Press press, const api::Peer& peer) override;
  api::ActionResult reload(const api::Peer& peer) override;
  api::ActionResult record_bus(bool on, const std::string& path, const api::Peer& peer) override;

 private:
  MonoMs now() const;
  std::optional<StartError> start_bus();
  int fail_start(const StartError& error);
  void start_inputs();
  void start_host_links();
  void restore_set_op();
  void on_set_op(bool disconnect);
  void host_links_after_input();
  void report_failed_inputs();
  void on_frame(const CanFrame& frame);
  void on_bus_state(hal::LinkState state, const std::string& detail);
  void arm_tick();
  void on_tick();
  void after_input();
  void send_ctrl();
  void apply_outputs();
  void render_panel(const SystemSnapshot& snap);
  void arm_panel_deadline();
  void publish(const SystemSnapshot& snap);
  void drain_events();
  void emit(Severity sev, std::string kind, std::string message, std::string cause = {});
  void record(const Event& e);
  void update_inputs();
  core::PanelInputs read_inputs() const;
  void arm_deadline();
  void on_save_result(const std::string& error);
  core::CoreConfig core_config(const Config& c) const;
  void fresh_start();
  void notify_status(const SystemSnapshot& snap);
  void on_signal(int signo);
  void report_refusal(const RefusalSummary::Report& r);
  void history_housekeeping();
  api::ActionResult reload_config(const std::string& who);
  void shutdown();
  // Bus recording (app_record.cpp).
  void wrap_bus_for_recording();
  void start_recording(const std::string& path);
  void on_recorder_report(const RecorderReport& r);
  void record_housekeeping();
  nlohmann::json record_counters() const;
  void internal_error(const std::string& what);

  // First member, so released last: held from before anything is opened
  // until everything is closed (docs/api.md "Limits", second daemon).
  UniqueFd instance_lock_;
  boost::asio::io_context& io_;
  CommandLine cl_;
  Config config_;
  std::string config_source_;
  std::chrono::steady_clock::time_point origin_ = std::chrono::steady_clock::now();

  std::unique_ptr<core::Controller> controller_;
  std::unique_ptr<history::History> history_;
  // Declared before bus_: the RecordingBus wrapping the bus refers to it.
  std::unique_ptr<BusRecorder> recorder_;
  std::string record_interface_;  // the interface name written in each line
  std::uint64_t record_dropped_reported_ = 0;
  std::unique_ptr<hal::CanBus> bus_;
  sim::SimBus* sim_bus_ = nullptr;  // bus_ when --sim
  std::unique_ptr<hal::TemperatureSensor> heatsink_;
  PanelPins pins_;
  panel::PanelModel panel_;
  std::unique_ptr<hal::Lcd> lcd_;
  PanelView view_;
  std::unique_ptr<api::Server> server_;
  std::unique_ptr<host::HostCanLink> host_can_;
  std::unique_ptr<host::ModbusLink> modbus_;
  std::unique_ptr<LatchSaver> latch_saver_;
  std::unique_ptr<SetOpSaver> set_op_saver_;  // persisted SetOp DISCONNECT
  bool set_op_restored_ = false;
  bool host_saw_charge_closed_ = false, host_saw_discharge_closed_ = false;
  unsigned failed_inputs_reported_ = 0;  // bit per interlock input
  std::unique_ptr<RenderWorker> render_;
  RefusalSummary refusals_;
  systemd::Notifier notifier_;

  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer panel_timer_;     // DISP hold reaching 3 s between ticks
  boost::asio::steady_timer deadline_timer_;  // the controller's next_deadline(): losses
  std::optional<MonoMs> armed_deadline_;
  boost::asio::steady_timer stop_timer_;
  boost::asio::signal_set signals_;
  std::chrono::steady_clock::time_point next_tick_{};
  std::optional<std::chrono::microseconds> watchdog_interval_;
  std::chrono::steady_clock::time_point last_watchdog_{};
  std::uint64_t ticks_ = 0;
  std::uint64_t ticks_at_last_pet_ = 0;
  std::uint64_t last_revision_ = ~0ull;
  std::string last_status_text_;
  MonoMs last_housekeeping_ = 0;
  LoopLag lag_;
  std::uint64_t ctrl_sent_ = 0, ctrl_dropped_ = 0, ctrl_immediate_ = 0;
  std::uint64_t events_total_ = 0;
  std::uint64_t heatsink_errors_ = 0;
  bool host_disconnect_ = false;     // last SetOp, kept for a fresh start
  bool state_file_failing_ = false;  // the last latch save failed
  std::uint64_t fresh_starts_ = 0;
  bool stopping_ = false;
  int exit_code_ = kExitOk;
  // Guards the handlers that capture this: a late completion after
  // destruction does nothing.
  Lifetime lifetime_;
};

}  // namespace essd::daemon
