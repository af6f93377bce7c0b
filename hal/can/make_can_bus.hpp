// SPDX-License-Identifier: MIT
#pragma once
// Factory the daemon uses for the module bus and the host CAN link.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hal/can/can_bus.hpp"
#include "hal/can/socketcan_bus.hpp"

namespace essd::hal {

/// transport "socketcan" uses `interface` (bitrate/restart_ms > 0 configure it);
/// "slcan" uses `device` at `baud` with the adapter set to `bitrate` (0 = 500000).
/// Returns nullptr and sets `error` for an unknown transport or bad argument.
/// `filters` (SocketCAN only) defaults to module_bus_filters(); the host link
/// passes its own (e.g. {{0x305, 0x7FF, false}}).
std::unique_ptr<CanBus> make_can_bus(boost::asio::io_context& io, const std::string& transport,
                                     const std::string& interface, const std::string& device,
                                     int baud, int bitrate, int restart_ms, std::string& error,
                                     std::optional<std::vector<CanFilter>> filters = std::nullopt);

}  // namespace essd::hal
