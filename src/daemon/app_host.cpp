// SPDX-License-Identifier: MIT
// App: the host links' wiring (docs/host-links.md). Every frame and every read
// carries the state at that moment (a snapshot source, not the last tick's
// copy); a SetOp DISCONNECT is persisted beside the latch state file and
// restored at start. (The control loop sends the Pylontech frame set at once
// when a path opens.)
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
    return loop_->snapshot();
  };
  if (config_.host_can.enabled) {
    std::string error;
    const auto& h = config_.host_can;
    auto bus = hal::make_can_bus(io_, h.transport, h.interface, h.device, h.baud,
                                 config_.bus.bitrate, config_.bus.restart_ms, error,
                                 std::vector<hal::CanFilter>{{0x305, 0x7FF, false}});
    if (!bus) {
      events_.emit(Severity::error, "host_link", "host CAN link not started: " + error);
    } else {
      host_can_ = std::make_unique<host::HostCanLink>(io_, h, std::move(bus));
      host_can_->set_clock([this] { return clock_.now(); });
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
  loop_->devices().host_can = host_can_.get();
  loop_->devices().modbus = modbus_.get();
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
    events_.emit(Severity::error, "state_file_error", "cannot save SetOp state: " + err);
  });
  set_op_saver_ = std::make_unique<SetOpSaver>(path, [this, on_error](std::string err) {
    if (err.empty()) return;
    asio::post(io_, [on_error, err = std::move(err)]() { on_error(err); });
  });
  const SetOpLoad loaded = load_set_op(path);
  if (!loaded.error.empty()) {
    events_.emit(Severity::error, "state_file_error",
                 "SetOp state file " + path + " unusable: " + loaded.error +
                     (host_can_connect ? ": DISCONNECT assumed" : ""));
  }
  const bool disconnect = loaded.disconnect.value_or(!loaded.error.empty());
  if (!disconnect) return;
  if (!host_can_connect) {
    events_.emit(Severity::warning, "set_op_dropped",
                 "SetOp DISCONNECT from before the restart dropped: host Modbus writes are off, "
                 "no host could end it");
    set_op_saver_->save(false);
    return;
  }
  set_op_restored_ = true;
  loop_->set_host_disconnect(true);
  events_.emit(
      Severity::warning, "set_op_restore",
      "SetOp DISCONNECT restored from " + path + ": both paths open until the host CONNECTs");
  if (!loaded.disconnect) set_op_saver_->save(true);  // rewrite a bad file
}

void App::on_set_op(bool disconnect) {
  loop_->set_host_disconnect(disconnect);
  set_op_saver_->save(disconnect);
  loop_->after_input();
}

}  // namespace essd::daemon
