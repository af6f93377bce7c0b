// SPDX-License-Identifier: MIT
// App: configuration reload (the API's `reload` and SIGHUP). What can change
// in place changes; the rest is reported as needing a restart.
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/app.hpp"

namespace essd::daemon {

namespace {

// What can change in place: limits, expected modules, admin group, client
// limit. Everything that owns a device or a file needs a restart.
std::vector<std::string> needs_restart(const Config& next, const Config& running) {
  std::vector<std::string> restart;
  if (next.system.model != running.system.model ||
      next.system.topology != running.system.topology) {
    restart.push_back("system.model/topology");
  }
  if (next.bus.transport != running.bus.transport || next.bus.interface != running.bus.interface ||
      next.bus.device != running.bus.device || next.bus.baud != running.bus.baud) {
    restart.push_back("bus");
  }
  if (next.api.socket != running.api.socket || next.api.group != running.api.group) {
    restart.push_back("api.socket/group");
  }
  if (next.history.path != running.history.path) restart.push_back("history.path");
  if (next.system.state_file != running.system.state_file) restart.push_back("system.state_file");
  if (next.limits.heatsink_sensor != running.limits.heatsink_sensor) {
    restart.push_back("limits.heatsink_sensor");
  }
  return restart;
}

// Keeps the running values of what needs a restart, so that what runs is
// what the status reports.
void keep_running_values(Config& next, const Config& running) {
  next.system.model = running.system.model;
  next.system.topology = running.system.topology;
  next.bus = running.bus;
  next.api.socket = running.api.socket;
  next.api.group = running.api.group;
  next.history = running.history;
  next.system.state_file = running.system.state_file;
  next.limits.heatsink_sensor = running.limits.heatsink_sensor;
  next.panel = running.panel;
  next.host_can = running.host_can;
  next.host_modbus = running.host_modbus;
}

}  // namespace

api::ActionResult App::reload_config(const std::string& who) {
  notifier_.reloading();
  LoadedConfig loaded = load_config(cl_);
  if (!loaded.config) {
    std::string first = loaded.errors.empty() ? "unreadable" : loaded.errors.front();
    std::string msg = "configuration rejected (" + who + "), running one kept: " + first;
    if (loaded.errors.size() > 1)
      msg += " (+" + std::to_string(loaded.errors.size() - 1) + " more)";
    for (const auto& e : loaded.errors) spdlog::error("{}", e);
    events_.emit(Severity::error, "config_rejected", msg);
    notifier_.ready();
    return api::ActionError{"invalid_argument", msg};
  }
  Config next = std::move(*loaded.config);
  const std::vector<std::string> restart = needs_restart(next, config_);
  keep_running_values(next, config_);
  loop_->reconfigure(core_config(next));
  server_->update_options(next.api.admin_group, next.api.max_clients, next.api.max_clients_per_uid,
                          std::chrono::seconds(next.api.idle_timeout_s));
  config_ = std::move(next);
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
  std::string msg = "configuration reloaded from " + loaded.source + " (" + who + ")";
  if (!restart.empty()) {
    msg += "; needs a restart to change:";
    for (const auto& r : restart) msg += " " + r;
  }
  events_.emit(Severity::info, "config_reload", msg);
  loop_->after_input();
  notifier_.ready();
  return std::nullopt;
}

}  // namespace essd::daemon
