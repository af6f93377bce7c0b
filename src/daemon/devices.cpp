// SPDX-License-Identifier: MIT
#include "daemon/devices.hpp"

#include <exception>

#include "hal/can/make_can_bus.hpp"
#include "hal/sensors/async_temperature.hpp"
#include "hal/sensors/sysfs_temperature.hpp"
#include "sim/sim_bus.hpp"

namespace essd::daemon {

std::optional<StartError> make_bus_devices(boost::asio::io_context& io, const Config& config,
                                           const CommandLine& cl, BusDevices& out) {
  if (cl.sim_modules) {
    sim::SimOptions o;
    o.model = config.system.model;
    o.topology = config.system.topology;
    o.modules = *cl.sim_modules;
    o.ambient_c = config.sim.ambient_c;
    o.initial_soc_pct = config.sim.initial_soc_pct;
    o.seed = config.sim.seed;
    o.scenario = config.sim.scenario;
    try {
      auto b = std::make_unique<sim::SimBus>(io, o);
      out.heatsink = std::make_unique<sim::SimHeatsink>(*b);
      out.bus = std::move(b);
    } catch (const std::exception& e) {
      return StartError{kExitUsage, std::string("scenario/simulator: ") + e.what()};
    }
    return std::nullopt;
  }
  std::string error;
  out.bus = hal::make_can_bus(io, config.bus.transport, config.bus.interface, config.bus.device,
                              config.bus.baud, config.bus.bitrate, config.bus.restart_ms, error);
  if (!out.bus) return StartError{kExitRuntime, error};
  if (!config.limits.heatsink_sensor.empty()) {
    // The read of an I2C hwmon file is a bus transfer: off the loop, on a
    // worker; a stale (> 1 s) or failed reading reads as a trip.
    out.heatsink = std::make_unique<hal::AsyncTemperatureSensor>(
        std::make_unique<hal::SysfsTemperatureSensor>(config.limits.heatsink_sensor));
  }
  return std::nullopt;
}

}  // namespace essd::daemon
