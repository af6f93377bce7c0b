// SPDX-License-Identifier: MIT
#pragma once
// Independent oracle for the property test (test_property.cpp): its own link
// tracking, aggregation, latches, overcurrent and heatsink bookkeeping, written
// from docs/core.md / docs/codec.md and not from the controller's code.
// judge() names the first condition a closed path violates. Where it cannot be
// exact (floating-point boundaries, the latch clearing rule) it is weaker than
// the spec, so that it never demands an open path wrongly.
#include <algorithm>
#include <array>
#include <string>

#include "core/controller.hpp"
#include "essd/module_bus.hpp"

namespace essd::core::test {

constexpr MonoMs kTimeout = 500;

struct OracleModule {
  bool have_status = false;
  bus::Status status;
  bus::Alarms alarms;
  MonoMs status_ms = -1;
  std::uint64_t status_seq = 0, alarms_seq = 0, info_seq = 0;  // 0 = never
  std::uint64_t epoch = 0;  // need STATUS, ALARMS and INFO after this
  int repeats = 0;
  bool connected = false, ever = false;
  int last_serial = -1;
  MonoMs last_info_ms = -1, dup_ms = -1;
  bool dup = false;
};

struct Oracle {
  CoreConfig cfg;
  ModelSpec spec;
  std::array<OracleModule, 16> m{};
  std::uint64_t seq = 0;
  bool maintenance = false, host_disconnect = false;
  PanelInputs panel;
  std::optional<double> heatsink;
  bool hs_tripped = false;
  bool ov_latch = false, od_latch = false;
  bool balance_needed = true;
  MonoMs oc_evidence[2] = {-1000000, -1000000};  // charge, discharge
  int oc_rounds[2] = {0, 0};

  explicit Oracle(const CoreConfig& c, Latches restored)
      : cfg(c), spec(model_spec(c.model, c.topology)) {
    ov_latch = restored.ov_error;
    od_latch = restored.discharge_error;
  }

  void timeouts(MonoMs now) {
    for (auto& x : m) {
      if (x.connected && now - x.status_ms >= kTimeout) {
        x.connected = false;
        x.epoch = seq;
      }
      if (x.dup && now - x.dup_ms >= 3000) x.dup = false;
    }
  }
  void frame(const bus::DecodeResult& r, MonoMs now) {
    if (!maintenance) timeouts(now);  // before this frame, as the controller does
    ++seq;
    if (maintenance || !r.ok() || r.address < 0) return;
    auto& x = m[static_cast<std::size_t>(r.address)];
    if (auto* s = std::get_if<bus::Status>(&*r.message)) {
      const bool current = x.have_status && now - x.status_ms < kTimeout;
      x.repeats = current && s->alive == x.status.alive ? x.repeats + 1 : 0;
      x.status = *s;
      x.have_status = true;
      x.status_ms = now;
      if (x.repeats >= 5 && x.connected) {
        x.connected = false;
        x.epoch = seq;
      }
      if (x.repeats < 5) x.status_seq = seq;
      if (s->state == bus::kOverVoltage) ov_latch = true;
      if (s->state == bus::kOverDischarge) od_latch = true;
    } else if (auto* a = std::get_if<bus::Alarms>(&*r.message)) {
      x.alarms = *a;
      x.alarms_seq = seq;
      if (a->bits & bus::kAlarmOverVoltage) ov_latch = true;
      if (a->bits & bus::kAlarmUnderVoltage) od_latch = true;
    } else if (auto* i = std::get_if<bus::Info>(&*r.message)) {
      if (x.last_serial >= 0 && x.last_serial != i->serial_byte && now - x.last_info_ms <= 1250) {
        x.dup = true;
        x.dup_ms = now;
      }
      x.last_serial = i->serial_byte;
      x.last_info_ms = now;
      x.info_seq = seq;
    }
    // A STATUS repeating beyond the limit must be followed by a moving one.
    if (!x.connected && x.status_seq > x.epoch && x.alarms_seq > x.epoch && x.info_seq > x.epoch &&
        x.repeats < 5 && now - x.status_ms < kTimeout && x.status_seq > 0) {
      // connects; status_seq may predate an earlier STATUS that timed out
      x.connected = true;
      x.ever = true;
      balance_needed = true;
    }
  }
  void leave_maintenance() {
    for (auto& x : m) {
      x.connected = false;
      x.ever = false;
      x.epoch = seq;
      x.have_status = false;
      x.repeats = 0;
    }
    balance_needed = true;
    oc_rounds[0] = oc_rounds[1] = 0;
  }

  std::uint16_t conn() const {
    std::uint16_t r = 0;
    for (int a = 0; a < 16; ++a)
      if (m[static_cast<std::size_t>(a)].connected) r |= 1u << a;
    return r;
  }
  std::uint16_t lost() const {
    std::uint16_t r = 0;
    for (int a = 0; a < 16; ++a)
      if (m[static_cast<std::size_t>(a)].ever && !m[static_cast<std::size_t>(a)].connected)
        r |= 1u << a;
    return r;
  }
  // System current in 100 mA and voltage in 10 mV, by the topology.
  void system(std::uint16_t c, double& amps, double& volts) const {
    amps = volts = 0;
    auto mod = [&](int a) -> const bus::Status& { return m[static_cast<std::size_t>(a)].status; };
    if (cfg.topology == Topology::parallel) {
      int n = 0;
      for (int a = 0; a < 16; ++a)
        if (c & (1u << a)) {
          amps += mod(a).current_100ma / 10.0;
          volts += mod(a).voltage_10mv / 100.0;
          ++n;
        }
      if (n) volts /= n;
      return;
    }
    const int width = cfg.topology == Topology::series ? 1 : 2;
    int groups = 0;
    for (int g = 0; g < 16; g += width) {
      double gi = 0, gv = 0;
      int n = 0;
      for (int a = g; a < g + width; ++a)
        if (c & (1u << a)) {
          gi += mod(a).current_100ma / 10.0;
          gv += mod(a).voltage_10mv / 100.0;
          ++n;
        }
      if (!n) continue;
      ++groups;
      amps += gi;
      volts += gv / n;
    }
    if (groups) amps /= groups;
  }
  bool topology_bad(std::uint16_t c, std::uint16_t l, double volts) const {
    const std::uint16_t p = c | l;
    int count = 0, highest = -1;
    for (int a = 0; a < 16; ++a)
      if (p & (1u << a)) {
        ++count;
        highest = a;
      }
    if (!count) return false;
    if (count != highest + 1) return true;  // gap
    for (int a = 0; a < 16; ++a)
      if (m[static_cast<std::size_t>(a)].dup) return true;
    if (count > spec.max_modules || count < spec.min_modules) return true;
    if (cfg.expected_modules && count != cfg.expected_modules) return true;
    if (cfg.topology == Topology::series_parallel && count % 2) return true;
    if (!l && (volts < spec.min_voltage_v - 0.01 || volts > spec.max_voltage_v + 0.01)) return true;
    return false;
  }
  bool balanced(std::uint16_t c) const {
    if (cfg.topology == Topology::series) return true;
    const int width = cfg.topology == Topology::parallel ? 16 : 2;
    for (int g = 0; g < 16; g += width) {
      int n = 0, rmin = 999, rmax = -1, vmin = 1 << 30, vmax = -1;
      bool unknown = false;
      for (int a = g; a < g + width; ++a) {
        if (!(c & (1u << a))) continue;
        const auto& s = m[static_cast<std::size_t>(a)].status;
        ++n;
        if (s.rsoc == 0xFF)
          unknown = true;
        else {
          rmin = std::min<int>(rmin, s.rsoc);
          rmax = std::max<int>(rmax, s.rsoc);
        }
        vmin = std::min<int>(vmin, s.voltage_10mv);
        vmax = std::max<int>(vmax, s.voltage_10mv);
      }
      if (n < 2) continue;
      if (unknown || rmax - rmin > 3 || vmax - vmin > 50) return false;
    }
    return true;
  }

  /// After each input: update time-based state, then judge. Returns "" or
  /// the violated condition.
  std::string judge(MonoMs now, bool tick, bool charge_closed, bool discharge_closed) {
    if (!maintenance) timeouts(now);
    const std::uint16_t c = conn(), l = lost();
    double amps, volts;
    system(c, amps, volts);
    // Latch clearing (weaker than the controller's rule: connected modules only).
    if (!maintenance && c && !l) {
      bool ov_ok = true, od_ok = true;
      for (int a = 0; a < 16; ++a) {
        if (!(c & (1u << a))) continue;
        const auto& x = m[static_cast<std::size_t>(a)];
        if (x.status.voltage_10mv >= 5680 || x.status.state == 6 || (x.alarms.bits & 0x8000))
          ov_ok = false;
        if (x.status.voltage_10mv <= 4800 || x.status.state == 7 || (x.alarms.bits & 0x2000))
          od_ok = false;
      }
      if (ov_ok) ov_latch = false;
      if (od_ok) od_latch = false;
    }
    // Overcurrent evidence (with a margin against float rounding).
    if (!maintenance) {
      const double rating = spec.max_current_a;
      const double x[2] = {amps, -amps};
      for (int d = 0; d < 2; ++d) {
        if (c && x[d] > rating * cfg.limits.overcurrent_instant_pct / 100.0 + 0.05)
          oc_evidence[d] = now;
        if (tick) {
          oc_rounds[d] = c && x[d] > rating + 0.05 ? oc_rounds[d] + 1 : 0;
          if (oc_rounds[d] >= cfg.limits.overcurrent_rounds) oc_evidence[d] = now;
        }
      }
    }
    if (cfg.heatsink_configured && heatsink) {
      if (*heatsink >= cfg.limits.heatsink_trip_c)
        hs_tripped = true;
      else if (*heatsink < cfg.limits.heatsink_clear_c)
        hs_tripped = false;
    }
    const bool topo_bad = topology_bad(c, l, volts);
    if (!maintenance && balance_needed && c && !l && !topo_bad && balanced(c))
      balance_needed = false;

    std::string common;
    if (!c)
      common = "no module connected";
    else if (l)
      common = "a module is lost";
    else if (topo_bad)
      common = "topology";
    else if (panel.off_mode)
      common = "off mode";
    else if (maintenance)
      common = "maintenance";
    else if (host_disconnect)
      common = "host disconnect";
    else if (cfg.heatsink_configured && (!heatsink || hs_tripped))
      common = "heatsink";
    else if (balance_needed)
      common = "balance";
    const MonoMs holdoff = cfg.limits.overcurrent_holdoff_s * 1000;
    if (charge_closed) {
      if (!common.empty()) return "charge closed: " + common;
      for (int a = 0; a < 16; ++a)
        if ((c & (1u << a)) && (!m[static_cast<std::size_t>(a)].status.chg ||
                                !m[static_cast<std::size_t>(a)].status.ov))
          return "charge closed: module CHG/OV line " + std::to_string(a);
      if (panel.hw_chg == false || panel.hw_ov == false) return "charge closed: hw line";
      if (now - oc_evidence[0] < holdoff) return "charge closed: overcurrent";
      if (ov_latch) return "charge closed: OV ERROR";
    }
    if (discharge_closed) {
      if (!common.empty()) return "discharge closed: " + common;
      for (int a = 0; a < 16; ++a)
        if ((c & (1u << a)) && !m[static_cast<std::size_t>(a)].status.dis)
          return "discharge closed: module DIS line " + std::to_string(a);
      if (panel.hw_dis == false) return "discharge closed: hw line";
      if (now - oc_evidence[1] < holdoff) return "discharge closed: overcurrent";
      if (od_latch) return "discharge closed: DISCHARGE ERROR";
    }
    return {};
  }
};

}  // namespace essd::core::test
