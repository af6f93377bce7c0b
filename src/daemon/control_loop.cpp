// SPDX-License-Identifier: MIT
#include "daemon/control_loop.hpp"

#include <cstdio>

#include <boost/asio/post.hpp>

#include "daemon/bus_recorder.hpp"
#include "daemon/fail_safe.hpp"
#include "daemon/recording_bus.hpp"
#include "essd/invariant.hpp"
#include "essd/module_bus.hpp"
#include "host/host_can_link.hpp"
#include "host/modbus_link.hpp"

namespace essd::daemon {

namespace {
constexpr auto kTickPeriod = std::chrono::milliseconds(100);
}

ControlLoop::ControlLoop(boost::asio::io_context& io, const LoopClock& clock, EventLog& events,
                         systemd::Notifier& notifier, core::CoreConfig config,
                         const core::Latches& latches, std::string state_file)
    : io_(io),
      clock_(clock),
      events_(events),
      notifier_(notifier),
      config_(std::move(config)),
      state_file_(std::move(state_file)),
      controller_(std::make_unique<core::Controller>(config_, clock.now(), latches)),
      tick_timer_(io),
      deadline_timer_(io) {
  // The saver calls back on its thread; the guarded handler is made here,
  // on the loop thread, and only invoked there.
  latch_saver_ = std::make_unique<LatchSaver>(
      [this, on_result = lifetime_.guard([this](const std::string& err) { on_save_result(err); })](
          std::string err) {
        boost::asio::post(io_, [on_result, err = std::move(err)]() { on_result(err); });
      });
}

ControlLoop::~ControlLoop() {
  lifetime_.end();
}

void ControlLoop::start_inputs(std::function<void(bool)> on_disp) {
  PanelPins& pins = *devices_.pins;
  auto guard = [this](auto fn) {
    return lifetime_.guard([fn](bool active, MonoMs) { fn(active); });
  };
  // The pin's timestamp is its own clock; the panel runs on ours.
  if (pins.disp_button) pins.disp_button->start(guard(std::move(on_disp)));
  for (auto* pin : {pins.sw_on.get(), pins.hw_chg.get(), pins.hw_dis.get(), pins.hw_ov.get()}) {
    if (pin) pin->start(guard([this](bool) { update_inputs(); }));
  }
  update_inputs();
}

void ControlLoop::start_ticking() {
  watchdog_interval_ = notifier_.watchdog_interval();
  // The first tick fires at once: a CTRL frame with both paths open tells the
  // modules a controller is alive, without waiting a whole period.
  next_tick_ = std::chrono::steady_clock::now();
  arm_tick();
}

void ControlLoop::stop() {
  stopping_ = true;
  tick_timer_.cancel();
  deadline_timer_.cancel();
  // Fail safe first: both paths open, then tell the modules (mode 0, both open).
  PanelPins& pins = *devices_.pins;
  if (pins.charge_path) pins.charge_path->set(false);
  if (pins.discharge_path) pins.discharge_path->set(false);
  if (devices_.bus) {
    bus::Ctrl c = controller_->next_ctrl();
    c.mode = bus::kCtrlNormal;
    c.charge_closed = false;
    c.discharge_closed = false;
    if (devices_.bus->send(bus::encode(c))) ++ctrl_sent_;
  }
}

void ControlLoop::on_frame(const CanFrame& frame) {
  if (stopping_) return;
  controller_->on_frame(frame, clock_.now());
  after_input();
}

void ControlLoop::on_bus_state(hal::LinkState state, const std::string& detail) {
  events_.emit(state == hal::LinkState::up ? Severity::info : Severity::error, "bus_link",
               "module bus " + devices_.bus->describe() + " " + std::string(to_string(state)) +
                   (detail.empty() ? "" : ": " + detail),
               std::string(to_string(state)));
  // A link that (re)comes up hears the controller at once, not a period
  // later: the modules learn the (fail-safe) path state immediately.
  if (state == hal::LinkState::up) send_ctrl();
  drain_events();
}

void ControlLoop::update_inputs() {
  controller_->set_panel_inputs(read_inputs(), clock_.now());
  after_input();
}

void ControlLoop::set_maintenance(bool on) {
  controller_->set_maintenance(on, clock_.now());
  after_input();
}

void ControlLoop::set_host_disconnect(bool disconnect) {
  host_disconnect_ = disconnect;  // re-applied by a fresh start
  controller_->set_host_disconnect(disconnect, clock_.now());
}

void ControlLoop::reconfigure(core::CoreConfig config) {
  config_ = std::move(config);
  controller_->reconfigure(config_, clock_.now());
}

void ControlLoop::arm_tick() {
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec) return;
    on_tick();
  }));
}

void ControlLoop::on_tick() {
  auto fired = std::chrono::steady_clock::now();
  lag_.record(std::chrono::duration_cast<std::chrono::milliseconds>(fired - next_tick_).count());
  // Drift-free period; after a long stall start afresh instead of bursting.
  next_tick_ += kTickPeriod;
  if (fired - next_tick_ > kTickPeriod) next_tick_ = fired + kTickPeriod;
  arm_tick();

  const MonoMs t = clock_.now();
  read_heatsink(t);
  controller_->tick(t);
  ++ticks_;
  send_ctrl();  // the periodic CTRL frame
  after_input();

  SystemSnapshot snap = controller_->snapshot(t);
  if (hooks_.after_tick) hooks_.after_tick(snap);
  if (devices_.host_can) devices_.host_can->update(snap);
  if (devices_.modbus) devices_.modbus->update(snap);
  drain_events();

  if (t - last_housekeeping_ >= 1000) {
    last_housekeeping_ = t;
    if (hooks_.every_second) hooks_.every_second(snap);
    notify_status(snap);
  }
  pet_watchdog(fired);
}

void ControlLoop::read_heatsink(MonoMs t) {
  if (!devices_.heatsink) return;
  auto c = devices_.heatsink->read_c();
  if (!c) ++heatsink_errors_;
  if (devices_.recorder) devices_.recorder->heatsink(unix_time_us(), c);
  controller_->set_heatsink(c, t);
}

// The watchdog is petted from the loop, and only when the controller made
// progress since the last pet.
void ControlLoop::pet_watchdog(std::chrono::steady_clock::time_point fired) {
  if (watchdog_interval_ && ticks_ != ticks_at_last_pet_ &&
      fired - last_watchdog_ >= *watchdog_interval_ / 4) {
    notifier_.watchdog();
    last_watchdog_ = fired;
    ticks_at_last_pet_ = ticks_;
  }
}

void ControlLoop::after_input() {
  if (controller_->fresh_start_due() && !stopping_) fresh_start();
  if (controller_->take_ctrl_request()) {
    ++ctrl_immediate_;
    send_ctrl();
  }
  apply_outputs();
  host_links_after_input();
  if (controller_->take_latches_dirty()) latch_saver_->save(state_file_, controller_->latches());
  drain_events();
  arm_deadline();
}

// A module is lost when comm_timeout_ms runs out, not at the next tick: the
// controller names the next moment its picture changes by itself, and a
// timer calls it then. One wake-up is kept armed at the earliest deadline;
// when it fires it re-arms for the next one.
void ControlLoop::arm_deadline() {
  const auto due = controller_->next_deadline();
  if (!due || stopping_) return;
  if (armed_deadline_ && *armed_deadline_ <= *due) return;
  armed_deadline_ = *due;
  deadline_timer_.expires_at(clock_.at(*due));
  deadline_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    armed_deadline_.reset();
    controller_->advance(clock_.now());
    after_input();
  }));
}

void ControlLoop::on_save_result(const std::string& error) {
  const bool failing = !error.empty();
  if (failing && !state_file_failing_) {
    events_.emit(Severity::error, "state_file_error",
                 "cannot save latches (retrying every second): " + error);
  } else if (!failing && state_file_failing_) {
    events_.emit(Severity::info, "state_file_ok", "latches saved to " + state_file_);
  }
  if (failing == state_file_failing_) return;
  state_file_failing_ = failing;
  controller_->set_state_file_error(failing, clock_.now());
  after_input();
}

// docs/core.md "Auto shut-down": where the board stays powered, modules
// that talk again after the shut-down get a controller as after a restart.
void ControlLoop::fresh_start() {
  const core::Latches latches = controller_->latches();
  if (controller_->take_latches_dirty()) latch_saver_->save(state_file_, latches);
  drain_events();
  const MonoMs t = clock_.now();
  controller_ = std::make_unique<core::Controller>(config_, t, latches);
  ++fresh_starts_;
  controller_->set_panel_inputs(read_inputs(), t);
  if (host_disconnect_) controller_->set_host_disconnect(true, t);
  if (state_file_failing_) controller_->set_state_file_error(true, t);
  armed_deadline_.reset();
  deadline_timer_.cancel();
  events_.emit(Severity::warning, "fresh_start",
               "modules talk again after the auto shut-down: starting fresh (paths open, latches "
               "as restored, every module connecting anew)");
  send_ctrl();  // the modules hear at once: both paths open, mode normal
}

void ControlLoop::send_ctrl() {
  if (!devices_.bus || stopping_ || !controller_->ctrl_wanted()) return;
  const bus::Ctrl c = controller_->next_ctrl();
  fail_safe::note_ctrl_sent(c.alive);  // the final CTRL of an internal error follows it
  if (devices_.bus->send(bus::encode(c))) {
    ++ctrl_sent_;
  } else {
    ++ctrl_dropped_;
  }
}

void ControlLoop::apply_outputs() {
  const bool chg = !stopping_ && controller_->charge_closed();
  const bool dis = !stopping_ && controller_->discharge_closed();
  PanelPins& pins = *devices_.pins;
  // Power-hold stays asserted until auto shut-down releases it.
  drive_outputs(pins, chg, dis, controller_->power_hold());
  // A path output that stays closed while it must be open (the line refused
  // the write) is an internal error: the fail-safe exit releases the line.
  ESSD_INVARIANT(!pins.charge_path || chg || !pins.charge_path->get());
  ESSD_INVARIANT(!pins.discharge_path || dis || !pins.discharge_path->get());
}

void ControlLoop::drain_events() {
  bool any = false;
  for (auto& e : controller_->take_events()) {
    events_.record(e);
    any = true;
  }
  if (devices_.host_can) {
    for (auto& e : devices_.host_can->take_events()) events_.record(e);
  }
  if (devices_.modbus) {
    for (auto& e : devices_.modbus->take_events()) events_.record(e);
  }
  // A controller event (path change, module lost, ...) is a status change:
  // watchers get it now rather than at the next tick.
  if (any && hooks_.status_changed) hooks_.status_changed(snapshot());
}

core::PanelInputs ControlLoop::read_inputs() const {
  const PanelPins& pins = *devices_.pins;
  core::PanelInputs in;
  // SW ON: the resistor between GND and SW ON selects OFF mode; the input
  // reads active while it is fitted.
  in.off_mode = pins.sw_on && pins.sw_on->get();
  if (pins.hw_chg) in.hw_chg = pins.hw_chg->get();
  if (pins.hw_dis) in.hw_dis = pins.hw_dis->get();
  if (pins.hw_ov) in.hw_ov = pins.hw_ov->get();
  return in;
}

// Called after every input: a path that just opened sends the whole
// Pylontech frame set at once (the host learns of it without waiting for
// the period), and an interlock input that failed is reported.
void ControlLoop::host_links_after_input() {
  report_failed_inputs();
  const bool chg = controller_->charge_closed();
  const bool dis = controller_->discharge_closed();
  const bool opened = (host_saw_charge_closed_ && !chg) || (host_saw_discharge_closed_ && !dis);
  host_saw_charge_closed_ = chg;
  host_saw_discharge_closed_ = dis;
  if (opened && devices_.host_can) devices_.host_can->send_now();
}

void ControlLoop::report_failed_inputs() {
  const PanelPins& p = *devices_.pins;
  const hal::InputPin* pins[] = {p.sw_on.get(), p.hw_chg.get(), p.hw_dis.get(), p.hw_ov.get()};
  const char* names[] = {"sw_on", "hw_chg", "hw_dis", "hw_ov"};
  for (unsigned i = 0; i < 4; ++i) {
    if (!pins[i] || !pins[i]->failed() || (failed_inputs_reported_ & (1u << i))) continue;
    failed_inputs_reported_ |= 1u << i;
    events_.emit(Severity::error, "input_failed",
                 std::string("panel.") + names[i] + " (" + pins[i]->describe() +
                     ") cannot be watched any more: it counts as unsafe until a restart");
  }
}

void ControlLoop::notify_status(const SystemSnapshot& snap) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s %d module(s) %.1f V %.1f A chg %s dis %s%s%s",
                std::string(to_string(snap.mode)).c_str(), snap.modules_connected, snap.voltage_v,
                snap.current_a, snap.charge.closed ? "closed" : "open",
                snap.discharge.closed ? "closed" : "open", snap.errors.empty() ? "" : ", ",
                snap.errors.empty() ? "" : snap.errors.front().text.c_str());
  if (last_status_text_ != buf) {
    last_status_text_ = buf;
    notifier_.status(buf);
  }
}

nlohmann::json ControlLoop::bus_counters() const {
  const auto& c = controller_->counters();
  nlohmann::json bus = nlohmann::json::object();
  if (devices_.bus) {
    for (const auto& [k, v] : devices_.bus->counters()) bus[k] = v;
    bus["link"] = std::string(to_string(devices_.bus->state()));
    bus["transport"] = devices_.bus->describe();
  }
  bus["frames_in"] = c.frames_in;
  bus["frames_valid"] = c.frames_valid;
  bus["frames_invalid"] = c.frames_invalid;
  bus["unknown_id"] = c.unknown_id;
  bus["not_standard"] = c.not_standard;
  nlohmann::json inv = nlohmann::json::object();
  for (int r = 0; r < bus::kInvalidReasonCount; ++r) {
    inv[std::string(to_string(static_cast<bus::DecodeError>(r)))] = c.invalid_by_reason[r];
  }
  bus["invalid"] = inv;
  bus["ctrl_sent"] = ctrl_sent_;
  bus["ctrl_dropped"] = ctrl_dropped_;
  bus["ctrl_immediate"] = ctrl_immediate_;
  return bus;
}

nlohmann::json ControlLoop::loop_counters() const {
  return {{"ticks", ticks_},
          {"lag_p50_ms", lag_.percentile(50)},
          {"lag_p99_ms", lag_.percentile(99)},
          {"lag_max_ms", lag_.max_ms()},
          {"late_ticks", lag_.late_ticks()}};
}

}  // namespace essd::daemon
