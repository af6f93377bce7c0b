// SPDX-License-Identifier: MIT
// App: construction, start-up order and shut-down (fail safe at both ends).
#include "daemon/app.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "config/config.hpp"
#include "daemon/fail_safe.hpp"
#include "daemon/instance_paths.hpp"
#include "daemon/latch_file.hpp"
#include "daemon/logging.hpp"
#include "essd/module_bus.hpp"
#include "essd/version.hpp"
#include "hal/lcd/make_lcd.hpp"
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
      tick_timer_(io),
      panel_timer_(io),
      deadline_timer_(io),
      stop_timer_(io),
      signals_(io) {}

App::~App() {
  fail_safe::disarm();  // before the pins and the bus go
  lifetime_.end();
  // Members are torn down in reverse order; the I/O objects cancel their own
  // handlers (each guards with weak_ptr), the worker threads join.
}

MonoMs App::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               origin_)
      .count();
}

std::string App::model_name() const {
  return std::string(to_string(config_.system.model));
}

int App::start() {
  const bool sim = cl_.sim_modules.has_value();
  // 0. The instance lock before anything else: a second daemon must leave
  // alone what the first one owns (history, state file, devices).
  {
    std::string lock_error;
    if (!api::acquire_instance_lock(config_.api.socket, instance_lock_, lock_error)) {
      return fail_start({kExitRuntime, lock_error});
    }
  }
  // 1. Outputs first, all at their safe level, before anything can close a path.
  std::vector<std::string> pin_errors;
  {
    hal::GpiodPinOpener gpiod(io_, {});
    pins_ = make_panel_pins(gpiod, config_.panel, pin_errors);
  }
  if (!pin_errors.empty()) {
    for (const auto& e : pin_errors) spdlog::error("panel: {}", e);
    return fail_start({kExitRuntime, "cannot open the configured GPIO lines (see above)"});
  }
  apply_outputs();  // controller not yet there: paths open
  // From here an internal error drives these outputs open (fail_safe.hpp).
  fail_safe::arm({pins_.charge_path.get(), pins_.discharge_path.get(), nullptr});

  // 2. History, so that every later event is kept.
  history_ =
      std::make_unique<history::History>(io_, config_.history.path, config_.history.max_events);

  // 3. The controller, with the persisted latches (they can only keep paths
  // open; an unusable file restores both as set).
  auto loaded = load_latch_file(config_.system.state_file);
  controller_ = std::make_unique<core::Controller>(core_config(config_), now(),
                                                   loaded.latches.value_or(core::Latches{}));
  // The saver calls back on its thread; the guarded handler is made here,
  // on the loop thread, and only invoked there.
  latch_saver_ = std::make_unique<LatchSaver>(
      [this, on_result = lifetime_.guard([this](const std::string& err) { on_save_result(err); })](
          std::string err) { asio::post(io_, [on_result, err]() { on_result(err); }); });
  emit(Severity::info, "start",
       "essd " + std::string(kVersion) + " starting (" + model_name() + ", " +
           std::string(to_string(config_.system.topology)) + ", config " + config_source_ +
           (sim ? ", simulated bus" : "") + ")");
  if (!history_->recovery_note().empty()) {
    emit(Severity::error, "history_corrupt", history_->recovery_note());
  }
  if (!history_->persistent()) {
    emit(Severity::error, "state_file_error",
         "event history not persistent: " + history_->open_error());
  }
  for (const auto& w : unsafe_directory_warnings(config_)) {
    spdlog::warn("{}", w);
    emit(Severity::warning, "unsafe_path", w);
  }
  if (!loaded.error.empty()) {
    emit(Severity::error, "state_file_error",
         "latch state file " + config_.system.state_file + " unusable (" + loaded.error +
             "): OV ERROR and DISCHARGE ERROR restored as set");
  }
  restore_set_op();  // a SetOp DISCONNECT from before the restart (app_host.cpp)

  // 4. The module bus and the heatsink sensor.
  if (auto error = start_bus()) return fail_start(*error);
  fail_safe::arm({pins_.charge_path.get(), pins_.discharge_path.get(), bus_.get()});

  // 5. The panel display.
  std::string lcd_error;
  lcd_ =
      hal::make_lcd(io_, config_.panel,
                    lifetime_.guard([this](essd::Press p) { panel_.press(p, now()); }), lcd_error);
  if (!lcd_) emit(Severity::warning, "panel", "LCD unavailable: " + lcd_error);

  // 6. The API.
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
  server_ = std::make_unique<api::Server>(io_, *this, so);
  std::vector<std::string> warnings;
  std::string error;
  if (!server_->start(error, warnings)) return fail_start({kExitRuntime, "API: " + error});
  for (const auto& w : warnings) spdlog::warn("API: {}", w);

  // 7. Inputs, host links, signals, the tick.
  start_inputs();
  start_host_links();
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  signals_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    on_signal(signo);
  }));
  watchdog_interval_ = notifier_.watchdog_interval();
  // The first tick fires at once: a CTRL frame with both paths open tells the
  // modules a controller is alive, without waiting a whole period.
  next_tick_ = std::chrono::steady_clock::now();
  arm_tick();
  drain_events();
  notifier_.ready();
  spdlog::info("essd ready: bus {}, API {}", bus_->describe(), config_.api.socket);
  return kExitOk;
}

std::optional<StartError> App::start_bus() {
  BusDevices devices;
  if (auto error = make_bus_devices(io_, config_, cl_, devices)) return error;
  bus_ = std::move(devices.bus);
  heatsink_ = std::move(devices.heatsink);
  sim_bus_ = devices.sim;
  wrap_bus_for_recording();
  bus_->start(lifetime_.guard([this](const CanFrame& f) { on_frame(f); }),
              lifetime_.guard([this](hal::LinkState s, const std::string& detail) {
                on_bus_state(s, detail);
              }));
  return std::nullopt;
}

int App::fail_start(const StartError& error) {
  // Once: spdlog writes to stderr, or to the journal when stderr is the
  // journal (a second line on stderr would be the same line twice there).
  spdlog::error("{}", error.message);
  return error.exit_code;
}

void App::start_inputs() {
  auto guard = [this](auto fn) {
    return lifetime_.guard([fn](bool active, MonoMs) { fn(active); });
  };
  if (pins_.disp_button) {
    // The pin's timestamp is its own clock; the panel runs on ours.
    pins_.disp_button->start(guard([this](bool active) { panel_.button(active, now()); }));
  }
  for (auto* pin : {pins_.sw_on.get(), pins_.hw_chg.get(), pins_.hw_dis.get(), pins_.hw_ov.get()}) {
    if (pin) pin->start(guard([this](bool) { update_inputs(); }));
  }
  update_inputs();
}

core::CoreConfig App::core_config(const Config& c) const {
  const bool heatsink_configured = cl_.sim_modules.has_value() || !c.limits.heatsink_sensor.empty();
  return core::CoreConfig::from(c, heatsink_configured);
}

void App::update_inputs() {
  controller_->set_panel_inputs(read_inputs(), now());
  after_input();
}

core::PanelInputs App::read_inputs() const {
  core::PanelInputs in;
  // SW ON: the resistor between GND and SW ON selects OFF mode; the input
  // reads active while it is fitted.
  in.off_mode = pins_.sw_on && pins_.sw_on->get();
  if (pins_.hw_chg) in.hw_chg = pins_.hw_chg->get();
  if (pins_.hw_dis) in.hw_dis = pins_.hw_dis->get();
  if (pins_.hw_ov) in.hw_ov = pins_.hw_ov->get();
  return in;
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
  Event e;
  e.severity = Severity::error;
  e.kind = "internal_error";
  e.message = "internal error: " + what + ": paths open, final CTRL sent, exiting";
  e.at_ms = now();
  try {
    record(e);
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
  tick_timer_.cancel();
  panel_timer_.cancel();
  deadline_timer_.cancel();
  // Fail safe first: both paths open, then tell the modules (mode 0, both open).
  if (pins_.charge_path) pins_.charge_path->set(false);
  if (pins_.discharge_path) pins_.discharge_path->set(false);
  if (bus_ && controller_) {
    bus::Ctrl c = controller_->next_ctrl();
    c.mode = bus::kCtrlNormal;
    c.charge_closed = false;
    c.discharge_closed = false;
    if (bus_->send(bus::encode(c))) ++ctrl_sent_;
  }
  emit(Severity::info, "stop", "essd stopping: paths open");
  drain_events();
  if (server_) server_->stop();
  if (host_can_) host_can_->stop();
  if (modbus_) modbus_->stop();
  if (set_op_saver_) set_op_saver_->flush();
  for (auto* pin : {pins_.disp_button.get(), pins_.sw_on.get(), pins_.hw_chg.get(),
                    pins_.hw_dis.get(), pins_.hw_ov.get()}) {
    if (pin) pin->stop();
  }
  signals_.cancel();
  // Give the bus a moment to put the final CTRL on the wire (its writes are
  // asynchronous), then stop it and let the loop run out.
  stop_timer_.expires_after(std::chrono::milliseconds(100));
  stop_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code&) {
    if (bus_) bus_->stop();
    if (recorder_) {
      recorder_->stop();
      recorder_->flush();  // the last frames, fsynced
    }
    if (latch_saver_) latch_saver_->flush();
    if (history_) history_->flush();
    io_.stop();
  }));
}

}  // namespace essd::daemon
