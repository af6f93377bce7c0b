// SPDX-License-Identifier: MIT
// App: construction, start-up order and shut-down (fail safe at both ends).
#include "daemon/app.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <csignal>

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/fail_safe.hpp"
#include "daemon/instance_paths.hpp"
#include "daemon/latch_file.hpp"
#include "daemon/logging.hpp"
#include "essd/version.hpp"
#include "history/history.hpp"
#include "host/host_can_link.hpp"
#include "host/modbus_link.hpp"

namespace essd::daemon {

namespace asio = boost::asio;

LoadedConfig load_config(const CommandLine& cl) {
  LoadedConfig out;
  struct stat st {};
  if (!cl.config_named && ::stat(cl.config_path.c_str(), &st) != 0 && errno == ENOENT) {
    // docs/configuration.md "Command line": a missing *default* file means built-in defaults.
    out.config = Config{};
    out.source = "built-in defaults";
    return out;
  }
  auto r = config::load_file(cl.config_path);
  for (const auto& p : r.errors) out.errors.push_back(p.format());
  out.warnings = r.warnings;
  out.config = r.config;
  out.source = cl.config_path;
  return out;
}

App::App(asio::io_context& io, CommandLine cl, Config config, std::string config_source)
    : io_(io),
      cl_(std::move(cl)),
      config_(std::move(config)),
      config_source_(std::move(config_source)),
      stop_timer_(io),
      signals_(io) {}

App::~App() {
  fail_safe::disarm();  // before the pins and the bus go
  lifetime_.end();
  // Members are torn down in reverse order; the I/O objects cancel their own
  // handlers (each guarded by its owner's Lifetime), the worker threads join.
}

std::string App::model_name() const {
  return std::string(to_string(config_.system.model));
}

int App::start() {
  // 0. The instance lock before anything else: a second daemon must leave
  // alone what the first one owns (history, state file, devices).
  std::string lock_error;
  if (!api::acquire_instance_lock(config_.api.socket, instance_lock_, lock_error)) {
    return fail_start({kExitRuntime, lock_error});
  }
  // 1. Outputs first, all at their safe level, before anything can close a path.
  if (auto error = start_outputs()) return fail_start(*error);
  // 2. History, so that every later event is kept; 3. the control loop.
  start_history_and_loop();
  // 4. The module bus and the heatsink sensor.
  if (auto error = start_bus()) return fail_start(*error);
  fail_safe::arm({pins_.charge_path.get(), pins_.discharge_path.get(), bus_.get()});
  // 5. The panel display; 6. the API.
  start_panel();
  if (auto error = start_api()) return fail_start(*error);
  // 7. Inputs, host links, signals, the tick.
  start_ticking();
  notifier_.ready();
  spdlog::info("essd ready: bus {}, API {}", bus_->describe(), config_.api.socket);
  return kExitOk;
}

std::optional<StartError> App::start_outputs() {
  std::vector<std::string> pin_errors;
  {
    hal::GpiodPinOpener gpiod(io_, {});
    pins_ = make_panel_pins(gpiod, config_.panel, pin_errors);
  }
  if (!pin_errors.empty()) {
    for (const auto& e : pin_errors) spdlog::error("panel: {}", e);
    return StartError{kExitRuntime, "cannot open the configured GPIO lines (see above)"};
  }
  // No controller yet: both paths open, power-hold asserted.
  drive_outputs(pins_, false, false, true);
  // From here an internal error drives these outputs open (fail_safe.hpp).
  fail_safe::arm({pins_.charge_path.get(), pins_.discharge_path.get(), nullptr});
  return std::nullopt;
}

void App::start_history_and_loop() {
  history_ =
      std::make_unique<history::History>(io_, config_.history.path, config_.history.max_events);
  events_.set_history(history_.get());
  // The controller, with the persisted latches (they can only keep paths
  // open; an unusable file restores both as set).
  auto loaded = load_latch_file(config_.system.state_file);
  loop_ = std::make_unique<ControlLoop>(io_, clock_, events_, notifier_, core_config(config_),
                                        loaded.latches.value_or(core::Latches{}),
                                        config_.system.state_file);
  loop_->devices().pins = &pins_;
  events_.emit(Severity::info, "start",
               "essd " + std::string(kVersion) + " starting (" + model_name() + ", " +
                   std::string(to_string(config_.system.topology)) + ", config " + config_source_ +
                   (cl_.sim_modules ? ", simulated bus" : "") + ")");
  if (!history_->recovery_note().empty()) {
    events_.emit(Severity::error, "history_corrupt", history_->recovery_note());
  }
  if (!history_->persistent()) {
    events_.emit(Severity::error, "state_file_error",
                 "event history not persistent: " + history_->open_error());
  }
  for (const auto& w : unsafe_directory_warnings(config_)) {
    spdlog::warn("{}", w);
    events_.emit(Severity::warning, "unsafe_path", w);
  }
  if (!loaded.error.empty()) {
    events_.emit(Severity::error, "state_file_error",
                 "latch state file " + config_.system.state_file + " unusable (" + loaded.error +
                     "): OV ERROR and DISCHARGE ERROR restored as set");
  }
  restore_set_op();  // a SetOp DISCONNECT from before the restart (app_host.cpp)
}

std::optional<StartError> App::start_bus() {
  BusDevices devices;
  if (auto error = make_bus_devices(io_, config_, cl_, devices)) return error;
  heatsink_ = std::move(devices.heatsink);
  recording_ =
      std::make_unique<BusRecording>(io_, events_, config_, cl_, [this] { loop_->drain_events(); });
  bus_ = recording_->wrap(std::move(devices.bus));
  auto& d = loop_->devices();
  d.bus = bus_.get();
  d.heatsink = heatsink_.get();
  d.recorder = &recording_->recorder();
  bus_->start(lifetime_.guard([this](const CanFrame& f) { loop_->on_frame(f); }),
              lifetime_.guard([this](hal::LinkState s, const std::string& detail) {
                loop_->on_bus_state(s, detail);
              }));
  return std::nullopt;
}

int App::fail_start(const StartError& error) {
  // Once: spdlog writes to stderr, or to the journal when stderr is the
  // journal (a second line on stderr would be the same line twice there).
  spdlog::error("{}", error.message);
  return error.exit_code;
}

void App::start_panel() {
  panel_ = std::make_unique<PanelDriver>(io_, clock_, pins_, [this] { return loop_->snapshot(); });
  std::string lcd_error;
  if (!panel_->open_lcd(config_.panel, lcd_error)) {
    events_.emit(Severity::warning, "panel", "LCD unavailable: " + lcd_error);
  }
}

std::optional<StartError> App::start_api() {
  api::ServerOptions so;
  so.socket_path = config_.api.socket;
  so.group = config_.api.group;
  so.admin_group = config_.api.admin_group;
  so.max_clients = config_.api.max_clients;
  so.instance_locked = true;  // taken first thing in start()
  so.max_clients_per_uid = config_.api.max_clients_per_uid;
  so.idle_timeout = std::chrono::seconds(config_.api.idle_timeout_s);
  auto fds = systemd::listen_fds();
  if (!fds.empty()) so.inherited_fd = fds.front();
  for (std::size_t i = 1; i < fds.size(); ++i) ::close(fds[i]);  // only one socket is ours
  render_ = std::make_unique<RenderWorker>(io_);
  backend_ = std::make_unique<ApiBackend>(ApiBackend::Parts{
      clock_, events_, *loop_, *panel_, *history_, *recording_, *render_, model_name(),
      [this](const std::string& who) { return reload_config(who); }});
  server_ = std::make_unique<api::Server>(io_, *backend_, so);
  backend_->set_server(server_.get());
  events_.set_server(server_.get());
  std::vector<std::string> warnings;
  std::string error;
  if (!server_->start(error, warnings)) return StartError{kExitRuntime, "API: " + error};
  for (const auto& w : warnings) spdlog::warn("API: {}", w);
  return std::nullopt;
}

void App::start_ticking() {
  loop_->set_hooks({
      .after_tick =
          [this](const SystemSnapshot& snap) {
            panel_->render(snap);
            backend_->publish(snap);
          },
      .every_second = [this](const SystemSnapshot&) { every_second(); },
      .status_changed = [this](const SystemSnapshot& snap) { backend_->publish(snap); },
  });
  loop_->start_inputs([this](bool active) { panel_->button(active); });
  start_host_links();
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  signals_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    on_signal(signo);
  }));
  loop_->start_ticking();
  loop_->drain_events();
}

void App::every_second() {
  for (auto& e : logging::log_housekeeping()) events_.record(e);
  recording_->housekeeping();
  backend_->housekeeping();
  for (const auto& note : history_->take_notes()) {
    events_.emit(Severity::warning, "history_wal", note);
  }
}

core::CoreConfig App::core_config(const Config& c) const {
  const bool heatsink_configured = cl_.sim_modules.has_value() || !c.limits.heatsink_sensor.empty();
  return core::CoreConfig::from(c, heatsink_configured);
}

int App::run() {
  // An exception escaping a handler is an internal error: paths open and
  // the final CTRL at once, then the event, then exit 1.
  try {
    io_.run();
  } catch (const std::exception& e) {
    internal_error(e.what());
    return kExitRuntime;
  } catch (...) {
    internal_error("exception of unknown type");
    return kExitRuntime;
  }
  return exit_code_;
}

void App::internal_error(const std::string& what) {
  fail_safe::open_paths_now(("exception escaped the loop: " + what).c_str());
  stopping_ = true;  // nothing closes a path again
  if (loop_) loop_->halt();
  Event e;
  e.severity = Severity::error;
  e.kind = "internal_error";
  e.message = "internal error: " + what + ": paths open, final CTRL sent, exiting";
  e.at_ms = clock_.now();
  try {
    events_.record(e);
    if (history_) history_->flush();
  } catch (...) {
    // The paths are open; the record is best effort.
  }
}

void App::on_signal(int signo) {
  if (signo == SIGHUP) {
    reload_config("SIGHUP");
    signals_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec, int s) {
      if (ec) return;
      on_signal(s);
    }));
    return;
  }
  spdlog::info("signal {}: stopping", signo);
  shutdown();
}

void App::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  notifier_.stopping();
  loop_->stop();  // both paths open, then the final CTRL
  panel_->stop();
  events_.emit(Severity::info, "stop", "essd stopping: paths open");
  loop_->drain_events();
  server_->stop();
  if (host_can_) host_can_->stop();
  if (modbus_) modbus_->stop();
  set_op_saver_->flush();
  for (auto* pin : {pins_.disp_button.get(), pins_.sw_on.get(), pins_.hw_chg.get(),
                    pins_.hw_dis.get(), pins_.hw_ov.get()}) {
    if (pin) pin->stop();
  }
  signals_.cancel();
  // Give the bus a moment to put the final CTRL on the wire (its writes are
  // asynchronous), then stop it and let the loop run out.
  stop_timer_.expires_after(std::chrono::milliseconds(100));
  stop_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code&) {
    bus_->stop();
    recording_->finish();
    loop_->flush_latches();
    history_->flush();
    io_.stop();
  }));
}

}  // namespace essd::daemon
