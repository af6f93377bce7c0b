// SPDX-License-Identifier: MIT
#pragma once
// The device factory: turns the configuration (and --sim) into the module
// bus and the heatsink sensor, or into a typed start-up error that carries
// its exit code (docs/configuration.md, "Command line": exit codes). App owns what it
// returns; nothing here is started.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "daemon/command_line.hpp"
#include "essd/config.hpp"
#include "hal/can/can_bus.hpp"
#include "hal/sensors/temperature_sensor.hpp"

namespace essd::daemon {

/// Why essd cannot start, and the exit code that says so.
struct StartError {
  int exit_code = kExitRuntime;  // kExitUsage: the configuration or a scenario is wrong
  std::string message;
};

struct BusDevices {
  std::unique_ptr<hal::CanBus> bus;
  std::unique_ptr<hal::TemperatureSensor> heatsink;  // empty: no sensor configured
};

/// --sim N: the in-process simulator (a bad scenario is kExitUsage);
/// otherwise the configured transport (a device that cannot be opened is
/// kExitRuntime) and, when limits.heatsink_sensor is set, that sensor read
/// off the loop.
std::optional<StartError> make_bus_devices(boost::asio::io_context& io, const Config& config,
                                           const CommandLine& cl, BusDevices& out);

}  // namespace essd::daemon
