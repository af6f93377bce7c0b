// SPDX-License-Identifier: MIT
#include "hal/can/make_can_bus.hpp"

#include <stdexcept>

#include "hal/can/slcan_bus.hpp"

namespace essd::hal {

std::unique_ptr<CanBus> make_can_bus(boost::asio::io_context& io, const std::string& transport,
                                     const std::string& interface, const std::string& device,
                                     int baud, int bitrate, int restart_ms, std::string& error,
                                     std::optional<std::vector<CanFilter>> filters) {
  error.clear();
  try {
    if (transport == "socketcan") {
      SocketCanOptions options;
      if (filters) options.filters = std::move(*filters);
      return std::make_unique<SocketCanBus>(io, interface, bitrate, restart_ms, std::move(options));
    }
    if (transport == "slcan") {
      return std::make_unique<SlcanBus>(io, device, baud, bitrate > 0 ? bitrate : 500000);
    }
    error = "unknown CAN transport '" + transport + "' (expected socketcan or slcan)";
  } catch (const std::invalid_argument& e) {
    error = e.what();
  }
  return nullptr;
}

}  // namespace essd::hal
