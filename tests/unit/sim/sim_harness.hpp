// SPDX-License-Identifier: MIT
#pragma once
// Drives a sim::Simulator in virtual time the way a controller would: a CTRL
// frame every 100 ms (when enabled) and every emitted frame collected with
// its bus time.
#include <cstdint>
#include <vector>

#include "essd/module_bus.hpp"
#include "sim/simulator.hpp"

namespace essd::sim::test {

struct Timed {
  MonoMs t;
  CanFrame frame;
};

class Harness {
 public:
  explicit Harness(SimOptions o = {}, Scenario sc = {}) : sim(std::move(o), std::move(sc)) {}

  /// Runs for `ms` of bus time in 10 ms steps; returns the frames.
  std::vector<Timed> run(MonoMs ms) {
    std::vector<Timed> out;
    const MonoMs end = t + ms;
    while (t < end) {
      if (ctrl_enabled && t % 100 == 0) {
        bus::Ctrl c;
        c.mode = mode;
        c.charge_closed = charge;
        c.discharge_closed = discharge;
        c.alive = alive++;
        sim.on_frame(bus::encode(c), t);
      }
      sim.step(t);
      for (auto& f : sim.take_frames()) out.push_back({t, f});
      t += Simulator::kTickMs;
    }
    return out;
  }

  Simulator sim;
  MonoMs t = 0;
  bool ctrl_enabled = true;
  bool charge = false;
  bool discharge = false;
  std::uint8_t mode = bus::kCtrlNormal;
  std::uint8_t alive = 0;
};

/// Decoded messages of one type from one address (valid frames only).
template <class M>
std::vector<std::pair<MonoMs, M>> messages(const std::vector<Timed>& frames, int address) {
  std::vector<std::pair<MonoMs, M>> out;
  for (const auto& f : frames) {
    const auto r = bus::decode(f.frame);
    if (r.ok() && r.address == address && std::holds_alternative<M>(*r.message))
      out.emplace_back(f.t, std::get<M>(*r.message));
  }
  return out;
}

inline std::size_t count_from(const std::vector<Timed>& frames, int address) {
  std::size_t n = 0;
  for (const auto& f : frames) {
    const auto r = bus::decode(f.frame);
    if (r.address == address) ++n;
  }
  return n;
}

}  // namespace essd::sim::test
