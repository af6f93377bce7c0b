// SPDX-License-Identifier: MIT
#pragma once
// Module 0 of the end-to-end measurements (bench_e2e and the hostile
// interlock test): STATUS + ALARMS every 100 ms, INFO every second, alive +1
// per STATUS, over a bench::Link. Header-only, benchmark tooling.
#include <chrono>
#include <cstdint>

#include "bench/e2e_link.hpp"
#include "essd/module_bus.hpp"

namespace essd::bench {

/// Module 0 as the protocol wants it: STATUS + ALARMS every 100 ms, INFO
/// every second, alive +1 per STATUS.
class Module {
 public:
  explicit Module(Link& link) : link_(link) {
    status_.voltage_10mv = 5320;
    status_.rsoc = 60;
    status_.chg = status_.dis = status_.ov = true;
    alarms_.temp_avg_decic = 225;
    alarms_.temp_min_c = 20;
    alarms_.temp_max_c = 25;
    info_.firmware = 0x0102;
    info_.nominal_dah = info_.full_dah = 240;
    info_.serial_byte = 0x11;
  }
  void set_chg(bool chg) {
    status_.chg = chg;
    send_status();
  }
  /// Periodic frames that are due; returns the time of the next one.
  std::chrono::steady_clock::time_point service() {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_) {
      send_status();
      link_.send(bus::encode(alarms_));
      if (period_++ % 10 == 0) link_.send(bus::encode(info_));
      next_ = now + std::chrono::milliseconds(100);
    }
    return next_;
  }

 private:
  void send_status() {
    status_.alive = static_cast<std::uint8_t>((status_.alive + 1) & 0x0F);
    link_.send(bus::encode(status_));
  }
  Link& link_;
  bus::Status status_;
  bus::Alarms alarms_;
  bus::Info info_;
  std::chrono::steady_clock::time_point next_ = std::chrono::steady_clock::now();
  unsigned period_ = 0;
};

}  // namespace essd::bench
