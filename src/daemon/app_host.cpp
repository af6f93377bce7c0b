// SPDX-License-Identifier: MIT
// App: the host links' wiring (docs/host-links.md). Every frame and every read
// carries the state at that moment (a snapshot source, not the last tick's
// copy); when a path opens the Pylontech frame set goes out at once; a SetOp
// DISCONNECT is persisted beside the latch state file and restored at start.
// Also the interlock inputs' failure report (docs/core.md "Hard-wired inputs").
#include <boost/asio/post.hpp>

#include "daemon/app.hpp"
#include "hal/can/make_can_bus.hpp"
#include "host/host_can_link.hpp"
#include "host/modbus_link.hpp"

namespace essd::daemon {

namespace asio = boost::asio;

void App::start_host_links() {
  auto current = [this] {
    // Only ever called from the links' own handlers on this loop, while the
    // App (and so the controller) is alive.
    return controller_->snapshot(now());
  };
  if (config_.host_can.enabled) {
    std::string error;
    const auto& h = config_.host_can;
    auto bus = hal::make_can_bus(io_, h.transport, h.interface, h.device, h.baud,
                                 config_.bus.bitrate, config_.bus.restart_ms, error,
                                 std::vector<hal::CanFilter>{{0x305, 0x7FF, false}});
    if (!bus) {
      emit(Severity::error, "host_link", "host CAN link not started: " + error);
    } else {
      host_can_ = std::make_unique<host::HostCanLink>(io_, h, std::move(bus));
      host_can_->set_clock([this] { return now(); });
      host_can_->set_snapshot_source(current);
      host_can_->start();
    }
  }
  if (config_.host_modbus.enabled) {
    modbus_ = std::make_unique<host::ModbusLink>(io_, config_.host_modbus, model_name());
    modbus_->set_snapshot_source(current);
    if (set_op_restored_) modbus_->restore_disconnect();
    modbus_->on_set_op(lifetime_.guard([this](bool disconnect) { on_set_op(disconnect); }));
    modbus_->start();
  }
}

// docs/host-links.md "RS232C terminal": a DISCONNECT stands across a restart. Restored before the
// module bus starts, so no path can close on the way. A file that cannot be
// read restores a DISCONNECT (when in doubt, open) if a host can end it; when
// host writes are off nothing could ever end it, so it is dropped, said loudly.
void App::restore_set_op() {
  const std::string path = set_op_path(config_.system.state_file);
  const bool host_can_connect = config_.host_modbus.enabled && config_.host_modbus.allow_writes;
  // Called back on the saver's thread: the guarded handler is made here.
  auto on_error = lifetime_.guard([this](const std::string& err) {
    emit(Severity::error, "state_file_error", "cannot save SetOp state: " + err);
  });
  set_op_saver_ = std::make_unique<SetOpSaver>(path, [this, on_error](std::string err) {
    if (err.empty()) return;
    asio::post(io_, [on_error, err]() { on_error(err); });
  });
  const SetOpLoad loaded = load_set_op(path);
  if (!loaded.error.empty()) {
    emit(Severity::error, "state_file_error",
         "SetOp state file " + path + " unusable: " + loaded.error +
             (host_can_connect ? ": DISCONNECT assumed" : ""));
  }
  const bool disconnect = loaded.disconnect.value_or(!loaded.error.empty());
  if (!disconnect) return;
  if (!host_can_connect) {
    emit(Severity::warning, "set_op_dropped",
         "SetOp DISCONNECT from before the restart dropped: host Modbus writes are off, "
         "no host could end it");
    set_op_saver_->save(false);
    return;
  }
  set_op_restored_ = true;
  controller_->set_host_disconnect(true, now());
  emit(Severity::warning, "set_op_restore",
       "SetOp DISCONNECT restored from " + path + ": both paths open until the host CONNECTs");
  if (!loaded.disconnect) set_op_saver_->save(true);  // rewrite a bad file
}

void App::on_set_op(bool disconnect) {
  host_disconnect_ = disconnect;  // re-applied by a fresh start
  controller_->set_host_disconnect(disconnect, now());
  if (set_op_saver_) set_op_saver_->save(disconnect);
  after_input();
}

// Called after every input: a path that just opened sends the whole
// Pylontech frame set at once (the host learns of it without waiting for
// the period), and an interlock input that failed is reported.
void App::host_links_after_input() {
  report_failed_inputs();
  if (!controller_) return;
  const bool chg = controller_->charge_closed();
  const bool dis = controller_->discharge_closed();
  const bool opened = (host_saw_charge_closed_ && !chg) || (host_saw_discharge_closed_ && !dis);
  host_saw_charge_closed_ = chg;
  host_saw_discharge_closed_ = dis;
  if (opened && host_can_) host_can_->send_now();
}

void App::report_failed_inputs() {
  const hal::InputPin* pins[] = {pins_.sw_on.get(), pins_.hw_chg.get(), pins_.hw_dis.get(),
                                 pins_.hw_ov.get()};
  const char* names[] = {"sw_on", "hw_chg", "hw_dis", "hw_ov"};
  for (unsigned i = 0; i < 4; ++i) {
    if (!pins[i] || !pins[i]->failed() || (failed_inputs_reported_ & (1u << i))) continue;
    failed_inputs_reported_ |= 1u << i;
    emit(Severity::error, "input_failed",
         std::string("panel.") + names[i] + " (" + pins[i]->describe() +
             ") cannot be watched any more: it counts as unsafe until a restart");
  }
}

}  // namespace essd::daemon
