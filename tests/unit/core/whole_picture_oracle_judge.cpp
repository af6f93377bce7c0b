// SPDX-License-Identifier: MIT
// The oracle's judgements: the whole picture, topology, balance, latch clear
// conditions, and the two columns of docs/core.md's interlock table. All
// const and computed from the recorded state at the `now` asked about, so a
// query between inputs is as right as one at an input. Quoted rules:
// docs/core.md (C) and docs/codec.md (B).
#include <algorithm>
#include <cstdlib>
#include <string>

#include "whole_picture_oracle.hpp"

namespace essd::oracle {

namespace {
// Floating-point slack on limits derived from 0.1 A / 10 mV raw units.
// LENIENT: a value must be beyond a limit by more than this to count.
constexpr double kCurrentSlackA = 1e-3;
constexpr double kVoltageSlackV = 5e-3;
// C: OV ERROR "clears when every module's voltage has fallen below 56.8 V";
// DISCHARGE ERROR "clears when every module is above 48.0 V".
constexpr int kOvClear10mV = 5680;
constexpr int kDischargeClear10mV = 4800;

std::string module_name(int a) {
  return "module " + std::to_string(a);
}
}  // namespace

// --- the whole picture ----------------------------------------------------

WholePictureOracle::Link WholePictureOracle::link_at(const Module& m, MonoMs now) const {
  // B: "lost ... when no valid STATUS has arrived for 500 ms". LENIENT at the
  // boundary: lost only once strictly more than the timeout has passed.
  if (m.link == Link::connected && now - m.status_at > cfg_.limits.comm_timeout_ms) {
    return Link::lost;
  }
  return m.link;
}

bool WholePictureOracle::talking(const Module& m, MonoMs now) const {
  // C: "A module is talking while its latest STATUS is younger than the
  // communication timeout ..., whether or not it is connected yet."
  return m.status && now - m.status_at < cfg_.limits.comm_timeout_ms;
}

std::vector<int> WholePictureOracle::connected(MonoMs now) const {
  std::vector<int> out;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    if (link_at(modules_[a], now) == Link::connected) out.push_back(a);
  }
  return out;
}

std::vector<std::string> WholePictureOracle::picture_gaps(MonoMs now) const {
  // C: "while any talking module is not connected (no INFO yet, or a
  // duplicate address not yet resolvable because its first INFO is less than
  // one INFO period old), while a module that was lost has not reconnected,
  // or while fewer modules are connected than system.modules configures, no
  // path closes, the balance pre-check is not passed, and no latch clears."
  std::vector<std::string> gaps;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const Module& m = modules_[a];
    const Link link = link_at(m, now);
    if (link == Link::lost) {
      gaps.push_back(module_name(a) + " lost and not reconnected");
    } else if (link != Link::connected && talking(m, now)) {
      gaps.push_back(module_name(a) + " talking but not connected");
    }
    // LENIENT: the window is counted from the first INFO ever seen at the
    // address, so a reconnecting module does not wait for it again.
    if ((link == Link::connected || talking(m, now)) && m.first_info_at &&
        now - *m.first_info_at < kInfoPeriodMs) {
      gaps.push_back(module_name(a) + " first INFO less than one INFO period old");
    }
  }
  const int n = static_cast<int>(connected(now).size());
  if (cfg_.expected_modules > 0 && n < cfg_.expected_modules) {
    gaps.push_back(std::to_string(n) + " modules connected, fewer than the configured " +
                   std::to_string(cfg_.expected_modules));
  }
  return gaps;
}

// --- topology ----------------------------------------------------------------

double WholePictureOracle::system_voltage_v(MonoMs now) const {
  // C "Aggregation": parallel V = mean; series V = sum; series-parallel:
  // each pair as parallel, the pairs as series. (B: 10 mV per bit.)
  const auto volts = [&](int a) { return modules_[a].status->voltage_10mv / 100.0; };
  const std::vector<int> c = connected(now);
  if (c.empty()) return 0;
  double v = 0;
  if (cfg_.topology == Topology::parallel) {
    for (int a : c) v += volts(a);
    return v / static_cast<double>(c.size());
  }
  if (cfg_.topology == Topology::series) {
    for (int a : c) v += volts(a);
    return v;
  }
  for (int k = 0; k < bus::kMaxModules / 2; ++k) {
    double sum = 0;
    int members = 0;
    for (int a : c) {
      if (a / 2 == k) sum += volts(a), ++members;
    }
    if (members > 0) v += sum / members;
  }
  return v;
}

std::vector<std::string> WholePictureOracle::topology_errors(MonoMs now) const {
  // C "Topology errors": "an address gap, a duplicate address, more modules
  // than the model allows, fewer than the model needs (IJ4001C: 2 in series,
  // 4 in 7s2p), an incomplete pair in 7s2p (odd count), a module count that
  // differs from the configured count where one is configured, or a system
  // voltage outside the model's operating range. Both paths stay open".
  std::vector<std::string> errors;
  const std::vector<int> c = connected(now);
  const int n = static_cast<int>(c.size());
  if (n == 0) return errors;  // "no module connected" is its own reason
  const ModelSpec spec = model_spec(cfg_.model, cfg_.topology);
  // B: "The bottom module is 0 and addresses are contiguous".
  for (int i = 0; i < n; ++i) {
    if (c[i] != i) {
      errors.push_back("address gap at " + std::to_string(i));
      break;
    }
  }
  for (int a : c) {
    // B: "Two different serial-number bytes seen at one address within one
    // INFO period". LENIENT: stands only while both differing INFOs lie
    // within the last INFO period; a core may keep it longer.
    std::vector<std::uint8_t> serials;
    for (const InfoSeen& x : modules_[a].recent_infos) {
      if (x.at > now - kInfoPeriodMs) serials.push_back(x.serial);
    }
    const bool two_serials = std::any_of(serials.begin(), serials.end(),
                                         [&](std::uint8_t s) { return s != serials.front(); });
    if (two_serials) errors.push_back("duplicate address " + std::to_string(a));
  }
  if (n > spec.max_modules) errors.push_back("too many modules");
  if (n < spec.min_modules) errors.push_back("too few modules");
  if (cfg_.topology == Topology::series_parallel && n % 2 != 0) {
    errors.push_back("pair incomplete");
  }
  if (cfg_.expected_modules > 0 && n != cfg_.expected_modules) {
    errors.push_back("count " + std::to_string(n) + " not " +
                     std::to_string(cfg_.expected_modules));
  }
  const double v = system_voltage_v(now);
  if (v < spec.min_voltage_v - kVoltageSlackV || v > spec.max_voltage_v + kVoltageSlackV) {
    errors.push_back("system voltage " + std::to_string(v) + " V outside the operating range");
  }
  return errors;
}

// --- balance pre-check ----------------------------------------------------------

std::vector<std::string> WholePictureOracle::balance_failures(MonoMs now) const {
  // C: "among modules that share a parallel connection (all modules in
  // parallel; the two of each pair in 7s2p; not applied in series), the
  // highest and lowest RSOC differ by at most 3 percentage points and the
  // highest and lowest voltage by at most 0.5 V."
  std::vector<std::vector<int>> groups;
  const std::vector<int> c = connected(now);
  if (cfg_.topology == Topology::parallel) groups.push_back(c);
  if (cfg_.topology == Topology::series_parallel) {
    for (int k = 0; k < bus::kMaxModules / 2; ++k) {
      std::vector<int> pair;
      for (int a : c) {
        if (a / 2 == k) pair.push_back(a);
      }
      groups.push_back(pair);
    }
  }
  std::vector<std::string> fails;
  for (const std::vector<int>& g : groups) {
    int rsoc_lo = 255, rsoc_hi = -1, v_lo = 1 << 20, v_hi = -1;
    for (int a : g) {
      const bus::Status& s = *modules_[a].status;
      // LENIENT: an unknown RSOC (0xFF) is left out of the spread.
      if (s.rsoc != bus::kRsocUnknown) {
        rsoc_lo = std::min<int>(rsoc_lo, s.rsoc);
        rsoc_hi = std::max<int>(rsoc_hi, s.rsoc);
      }
      v_lo = std::min<int>(v_lo, s.voltage_10mv);
      v_hi = std::max<int>(v_hi, s.voltage_10mv);
    }
    if (rsoc_hi >= 0 && rsoc_hi - rsoc_lo > 3) {
      fails.push_back("RSOC spread " + std::to_string(rsoc_hi - rsoc_lo) + " % > 3 %");
    }
    if (v_hi >= 0 && v_hi - v_lo > 50) {  // 0.5 V in 10 mV units
      fails.push_back("voltage spread " + std::to_string(v_hi - v_lo) + "0 mV > 0.5 V");
    }
  }
  return fails;
}

bool WholePictureOracle::balance_passed(MonoMs now) const {
  // C: "It is checked when the system first has all its modules connected
  // and again whenever a module (re)connects". LENIENT: it may pass at any
  // moment the picture is whole (a query is such a moment), also in COMM OFF
  // MODE and with a topology error.
  return balance_passed_ || (picture_gaps(now).empty() && balance_failures(now).empty());
}

// --- overcurrent ------------------------------------------------------------------

bool WholePictureOracle::overcurrent_gating(MonoMs now) const {
  // LENIENT: trips are only recorded while the picture is whole and not in
  // COMM OFF MODE; a core may judge nothing on a partial picture, and in
  // maintenance it "ignores module data" (B).
  return !maintenance_ && picture_gaps(now).empty() && !connected(now).empty();
}

double WholePictureOracle::system_current_a(MonoMs now) const {
  // C: "the system current recomputed from the latest STATUS of every
  // connected module"; "Aggregation": parallel I = sum; series I = mean;
  // series-parallel: each pair as parallel (sum), the pairs as series (mean).
  const auto amps = [&](int a) { return modules_[a].status->current_100ma / 10.0; };
  const std::vector<int> c = connected(now);
  if (c.empty()) return 0;
  double i = 0;
  if (cfg_.topology == Topology::parallel) {
    for (int a : c) i += amps(a);
    return i;
  }
  if (cfg_.topology == Topology::series) {
    for (int a : c) i += amps(a);
    return i / static_cast<double>(c.size());
  }
  int pairs = 0;
  for (int k = 0; k < bus::kMaxModules / 2; ++k) {
    bool any = false;
    for (int a : c) {
      if (a / 2 == k) i += amps(a), any = true;
    }
    pairs += any ? 1 : 0;
  }
  return i / pairs;
}

bool WholePictureOracle::beyond(Dir d, double threshold_a, MonoMs now) const {
  // C: "overcurrent trips the path in the current's direction"; B: "positive
  // = charging, negative = discharging".
  const double i = system_current_a(now);
  const double in_direction = d == Dir::charge ? i : -i;
  return in_direction > threshold_a + kCurrentSlackA;
}

bool WholePictureOracle::overcurrent_blocks(Dir d, MonoMs now) const {
  // C: "The path may close again after 10 s (config) without overcurrent;
  // not latched." LENIENT: counted from the latest certain trip, which is no
  // later than the end of the overcurrent.
  const OvercurrentTrack& t = d == Dir::charge ? oc_charge_ : oc_discharge_;
  return t.last_trip && now - *t.last_trip < cfg_.limits.overcurrent_holdoff_s * 1000LL;
}

// --- heatsink ------------------------------------------------------------------------

bool WholePictureOracle::heatsink_blocks() const {
  // C: "heatsink below 85 degC ... (where a sensor is configured)"; issue 12:
  // "an error ... counts as a trip". Before any reading the condition "below
  // 85" is not established (when in doubt, open).
  if (!cfg_.heatsink_configured) return false;
  return !heatsink_read_ || !heatsink_c_ || heatsink_tripped_;
}

// --- latches ----------------------------------------------------------------------------

bool WholePictureOracle::ov_clear_condition(MonoMs now) const {
  // C: OV ERROR "clears when every module's voltage has fallen below 56.8 V
  // per module (series: per module) and no module reports it"; issue 12:
  // "only when the clear condition holds for every talking module". The
  // whole picture must stand, and (from "they clear from fresh data") at
  // least one module must be connected to judge on.
  const std::vector<int> c = connected(now);
  if (c.empty() || !picture_gaps(now).empty()) return false;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const Module& m = modules_[a];
    if (link_at(m, now) != Link::connected && !talking(m, now)) continue;
    // LENIENT at the boundary: exactly 56.80 V may clear.
    if (m.status->voltage_10mv > kOvClear10mV) return false;
    if (m.status->state == bus::kOverVoltage) return false;
    if (m.alarms && (m.alarms->bits & bus::kAlarmOverVoltage) != 0) return false;
  }
  return true;
}

bool WholePictureOracle::discharge_clear_condition(MonoMs now) const {
  // C: DISCHARGE ERROR "clears when every module is above 48.0 V and reports
  // neither" (state 7 nor alarm 0x2000); same whole-picture rule as above.
  const std::vector<int> c = connected(now);
  if (c.empty() || !picture_gaps(now).empty()) return false;
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const Module& m = modules_[a];
    if (link_at(m, now) != Link::connected && !talking(m, now)) continue;
    // LENIENT at the boundary: exactly 48.00 V may clear.
    if (m.status->voltage_10mv < kDischargeClear10mV) return false;
    if (m.status->state == bus::kOverDischarge) return false;
    if (m.alarms && (m.alarms->bits & bus::kAlarmUnderVoltage) != 0) return false;
  }
  return true;
}

bool WholePictureOracle::ov_latch_may_be_clear(MonoMs now) const {
  return !ov_latched_ || ov_clear_condition(now);
}

bool WholePictureOracle::discharge_latch_may_be_clear(MonoMs now) const {
  return !discharge_latched_ || discharge_clear_condition(now);
}

// --- the interlock table ----------------------------------------------------------------

void WholePictureOracle::common_reasons(MonoMs now, std::vector<std::string>& why) const {
  // Rows of C's table that hold for both columns.
  for (std::string& g : picture_gaps(now)) why.push_back("whole picture: " + g);
  // "at least one module connected, topology valid, no module lost"
  if (connected(now).empty()) why.emplace_back("no module connected");
  for (std::string& e : topology_errors(now)) why.push_back("topology: " + e);
  // "not in OFF mode (resistor between GND and SW ON)"
  if (panel_.off_mode) why.emplace_back("OFF mode");
  // "not in maintenance mode (COMM OFF MODE)"
  if (maintenance_) why.emplace_back("COMM OFF MODE");
  // docs/host-links.md: "SetOp 2 DISCONNECT opens both paths"
  if (host_disconnect_) why.emplace_back("host DISCONNECT");
  // "heatsink below 85 degC (config), re-closing only below 75 degC"
  if (heatsink_blocks()) why.emplace_back("heatsink");
  // "at start-up, and after a module is added, all parallel modules within
  // 3 % RSOC and 0.5 V of each other"
  if (!balance_passed(now)) {
    std::string text = "balance pre-check not passed since the last (re)connect";
    for (const std::string& f : balance_failures(now)) text += "; " + f;
    why.push_back(text);
  }
}

Verdict WholePictureOracle::charge(MonoMs now) const {
  Verdict v;
  common_reasons(now, v.why_not);
  // "every connected module's CHG line = 1 and OV line = 1"
  for (int a : connected(now)) {
    if (!modules_[a].status->chg) v.why_not.push_back(module_name(a) + " CHG line 0");
    if (!modules_[a].status->ov) v.why_not.push_back(module_name(a) + " OV line 0");
  }
  // "the hard-wired CHG/OV/DIS input lines, where configured, are high"
  if (panel_.hw_chg == false) v.why_not.emplace_back("hard-wired CHG line low");
  if (panel_.hw_ov == false) v.why_not.emplace_back("hard-wired OV line low");
  // "system current within the model's rating"
  if (overcurrent_blocks(Dir::charge, now)) v.why_not.emplace_back("charge overcurrent hold-off");
  // "no latched OV ERROR (charge)"
  if (!ov_latch_may_be_clear(now)) v.why_not.emplace_back("OV ERROR latched");
  v.may_close = v.why_not.empty();
  return v;
}

Verdict WholePictureOracle::discharge(MonoMs now) const {
  Verdict v;
  common_reasons(now, v.why_not);
  // "every connected module's DIS line = 1"
  for (int a : connected(now)) {
    if (!modules_[a].status->dis) v.why_not.push_back(module_name(a) + " DIS line 0");
  }
  // "the hard-wired ... input lines, where configured, are high | yes (DIS)"
  if (panel_.hw_dis == false) v.why_not.emplace_back("hard-wired DIS line low");
  if (overcurrent_blocks(Dir::discharge, now)) {
    v.why_not.emplace_back("discharge overcurrent hold-off");
  }
  // "no latched ... DISCHARGE ERROR (discharge)"
  if (!discharge_latch_may_be_clear(now)) v.why_not.emplace_back("DISCHARGE ERROR latched");
  v.may_close = v.why_not.empty();
  return v;
}

}  // namespace essd::oracle
