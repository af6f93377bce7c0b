// SPDX-License-Identifier: MIT
// App: the control loop. Frames and the 100 ms tick feed the controller;
// after every input the outputs, the immediate CTRL frame and the events are
// handled at once (no waiting for the next period).
#include <cstdio>

#include <spdlog/spdlog.h>

#include "api/json_mapping.hpp"
#include "daemon/app.hpp"
#include "daemon/fail_safe.hpp"
#include "daemon/logging.hpp"
#include "daemon/recording_bus.hpp"
#include "essd/invariant.hpp"
#include "essd/module_bus.hpp"
#include "history/history.hpp"
#include "host/host_can_link.hpp"
#include "host/modbus_link.hpp"

namespace essd::daemon {

namespace {
constexpr auto kTickPeriod = std::chrono::milliseconds(100);
}

void App::on_frame(const CanFrame& frame) {
  if (stopping_) return;
  controller_->on_frame(frame, now());
  after_input();
}

void App::on_bus_state(hal::LinkState state, const std::string& detail) {
  emit(state == hal::LinkState::up ? Severity::info : Severity::error, "bus_link",
       "module bus " + bus_->describe() + " " + std::string(to_string(state)) +
           (detail.empty() ? "" : ": " + detail),
       std::string(to_string(state)));
  // A link that (re)comes up hears the controller at once, not a period
  // later: the modules learn the (fail-safe) path state immediately.
  if (state == hal::LinkState::up) send_ctrl();
  drain_events();
}

void App::arm_tick() {
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec) return;
    on_tick();
  }));
}

void App::on_tick() {
  auto fired = std::chrono::steady_clock::now();
  lag_.record(std::chrono::duration_cast<std::chrono::milliseconds>(fired - next_tick_).count());
  // Drift-free period; after a long stall start afresh instead of bursting.
  next_tick_ += kTickPeriod;
  if (fired - next_tick_ > kTickPeriod) next_tick_ = fired + kTickPeriod;
  arm_tick();

  MonoMs t = now();
  if (heatsink_) {
    auto c = heatsink_->read_c();
    if (!c) ++heatsink_errors_;
    if (recorder_) recorder_->heatsink(unix_time_us(), c);
    controller_->set_heatsink(c, t);
  }
  controller_->tick(t);
  ++ticks_;
  send_ctrl();  // the periodic CTRL frame
  after_input();

  SystemSnapshot snap = controller_->snapshot(t);
  render_panel(snap);
  publish(snap);
  if (host_can_) host_can_->update(snap);
  if (modbus_) modbus_->update(snap);
  drain_events();

  if (t - last_housekeeping_ >= 1000) {
    last_housekeeping_ = t;
    for (auto& e : logging::log_housekeeping()) record(e);
    record_housekeeping();
    history_housekeeping();
    notify_status(snap);
  }
  // Watchdog from the loop, and only when the controller made progress.
  if (watchdog_interval_ && ticks_ != ticks_at_last_pet_ &&
      fired - last_watchdog_ >= *watchdog_interval_ / 4) {
    notifier_.watchdog();
    last_watchdog_ = fired;
    ticks_at_last_pet_ = ticks_;
  }
}

void App::after_input() {
  if (controller_->fresh_start_due() && !stopping_) fresh_start();
  if (controller_->take_ctrl_request()) {
    ++ctrl_immediate_;
    send_ctrl();
  }
  apply_outputs();
  host_links_after_input();
  if (controller_->take_latches_dirty()) {
    latch_saver_->save(config_.system.state_file, controller_->latches());
  }
  drain_events();
  arm_deadline();
}

// A module is lost when comm_timeout_ms runs out, not at the next tick: the
// controller names the next moment its picture changes by itself, and a
// timer calls it then. One wake-up is kept armed at the earliest deadline;
// when it fires it re-arms for the next one.
void App::arm_deadline() {
  const auto due = controller_->next_deadline();
  if (!due || stopping_) return;
  if (armed_deadline_ && *armed_deadline_ <= *due) return;
  armed_deadline_ = *due;
  deadline_timer_.expires_at(origin_ + std::chrono::milliseconds(*due));
  deadline_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    armed_deadline_.reset();
    controller_->advance(now());
    after_input();
  }));
}

void App::on_save_result(const std::string& error) {
  const bool failing = !error.empty();
  if (failing && !state_file_failing_) {
    emit(Severity::error, "state_file_error",
         "cannot save latches (retrying every second): " + error);
  } else if (!failing && state_file_failing_) {
    emit(Severity::info, "state_file_ok", "latches saved to " + config_.system.state_file);
  }
  if (failing == state_file_failing_) return;
  state_file_failing_ = failing;
  controller_->set_state_file_error(failing, now());
  after_input();
}

// docs/core.md "Auto shut-down": where the board stays powered, modules
// that talk again after the shut-down get a controller as after a restart.
void App::fresh_start() {
  const core::Latches latches = controller_->latches();
  if (controller_->take_latches_dirty()) latch_saver_->save(config_.system.state_file, latches);
  drain_events();
  const MonoMs t = now();
  controller_ = std::make_unique<core::Controller>(core_config(config_), t, latches);
  ++fresh_starts_;
  controller_->set_panel_inputs(read_inputs(), t);
  if (host_disconnect_) controller_->set_host_disconnect(true, t);
  if (state_file_failing_) controller_->set_state_file_error(true, t);
  armed_deadline_.reset();
  deadline_timer_.cancel();
  emit(Severity::warning, "fresh_start",
       "modules talk again after the auto shut-down: starting fresh (paths open, latches as "
       "restored, every module connecting anew)");
  send_ctrl();  // the modules hear at once: both paths open, mode normal
}

void App::send_ctrl() {
  if (!bus_ || stopping_ || !controller_->ctrl_wanted()) return;
  const bus::Ctrl c = controller_->next_ctrl();
  fail_safe::note_ctrl_sent(c.alive);  // the final CTRL of an internal error follows it
  if (bus_->send(bus::encode(c))) {
    ++ctrl_sent_;
  } else {
    ++ctrl_dropped_;
  }
}

void App::apply_outputs() {
  const bool chg = controller_ && !stopping_ && controller_->charge_closed();
  const bool dis = controller_ && !stopping_ && controller_->discharge_closed();
  if (pins_.charge_path && pins_.charge_path->get() != chg) pins_.charge_path->set(chg);
  if (pins_.discharge_path && pins_.discharge_path->get() != dis) pins_.discharge_path->set(dis);
  // A path output that stays closed while it must be open (the line refused
  // the write) is an internal error: the fail-safe exit releases the line.
  ESSD_INVARIANT(!pins_.charge_path || chg || !pins_.charge_path->get());
  ESSD_INVARIANT(!pins_.discharge_path || dis || !pins_.discharge_path->get());
  // Power-hold stays asserted until auto shut-down releases it.
  const bool hold = !controller_ || controller_->power_hold();
  if (pins_.power_hold && pins_.power_hold->get() != hold) pins_.power_hold->set(hold);
}

void App::render_panel(const SystemSnapshot& snap) {
  view_ = panel_.render(snap, snap.now_ms);
  if (lcd_) lcd_->show(view_);
  show_indicators(view_, pins_);
  arm_panel_deadline();
}

// The 100 ms tick renders the panel; a panel timer that falls between two
// ticks (a DISP hold reaching 3 s, an LED flash edge) gets its own wake-up so
// it acts when it is due, not up to a period later.
void App::arm_panel_deadline() {
  const auto due = panel_.next_deadline();
  const MonoMs t = now();
  if (!due || *due <= t || *due - t >= 100 || stopping_) return;
  panel_timer_.expires_at(origin_ + std::chrono::milliseconds(*due));
  panel_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec || stopping_ || !controller_) return;
    render_panel(controller_->snapshot(now()));
  }));
}

void App::publish(const SystemSnapshot& snap) {
  if (snap.revision != last_revision_) {
    last_revision_ = snap.revision;
    if (server_) server_->status_changed();
  }
}

void App::emit(Severity sev, std::string kind, std::string message, std::string cause) {
  Event e;
  e.severity = sev;
  e.kind = std::move(kind);
  e.message = std::move(message);
  e.cause = std::move(cause);
  e.at_ms = now();
  record(e);
}

void App::record(const Event& e) {
  ++events_total_;
  logging::log_event(e);
  if (!history_) return;
  history::Record r = history_->append(e, std::chrono::system_clock::now());
  if (server_) {
    server_->publish_event(api::EventRecord{r.seq, r.time, r.severity, r.kind, r.message, r.data});
  }
}

void App::drain_events() {
  if (!controller_) return;
  bool any = false;
  for (auto& e : controller_->take_events()) {
    record(e);
    any = true;
  }
  if (host_can_) {
    for (auto& e : host_can_->take_events()) record(e);
  }
  if (modbus_) {
    for (auto& e : modbus_->take_events()) record(e);
  }
  // A controller event (path change, module lost, ...) is a status change:
  // watchers get it now rather than at the next tick.
  if (any && server_) {
    auto snap = controller_->snapshot(now());
    publish(snap);
  }
}

void App::notify_status(const SystemSnapshot& snap) {
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

}  // namespace essd::daemon
