// SPDX-License-Identifier: MIT
#pragma once
// The events a host link hands to the daemon (to log, store and push). Kind
// is always "host_link"; the cause says what happened ("keepalive_lost",
// "modbus_lost", "saturation:0x356.voltage", ...).
#include <string>
#include <utility>
#include <vector>

#include "essd/event.hpp"

namespace essd::host {

class LinkEvents {
 public:
  void add(Severity severity, std::string cause, std::string message, MonoMs at_ms) {
    Event e;
    e.severity = severity;
    e.kind = "host_link";
    e.cause = std::move(cause);
    e.message = std::move(message);
    e.at_ms = at_ms;
    events_.push_back(std::move(e));
  }
  std::vector<Event> take() { return std::exchange(events_, {}); }

 private:
  std::vector<Event> events_;
};

}  // namespace essd::host
