// SPDX-License-Identifier: MIT
// Simulator: the fault-injection / operating commands (command.hpp).
#include <cstdio>
#include <limits>

#include "essd/module_bus.hpp"
#include "sim/simulator.hpp"

namespace essd::sim {

namespace {

// The per-module fault that one of drop, freeze, garbage, ov, overdischarge,
// overtemp, overcurrent or imbalance sets; other verbs leave `f` alone.
void set_fault(Faults& f, const Command& c) {
  switch (c.verb) {
    case Verb::drop:
      f.dropped = true;
      break;
    case Verb::freeze:
      f.frozen = true;
      break;
    case Verb::garbage:
      f.garbage = true;
      break;
    case Verb::ov:
      f.ov = true;
      break;
    case Verb::overdischarge:
      f.od = true;
      break;
    case Verb::overtemp:
      f.ot = true;
      break;
    case Verb::overcurrent:
      f.oc = c.flag ? +1 : -1;
      break;
    case Verb::imbalance:
      f.imbalance_mv = c.value;
      break;
    default:
      break;
  }
}

}  // namespace

std::string Simulator::check(const Command& c) const {
  const int n = module_count();
  switch (c.verb) {
    case Verb::drop:
    case Verb::freeze:
    case Verb::garbage:
    case Verb::ov:
    case Verb::overdischarge:
    case Verb::overtemp:
    case Verb::overcurrent:
    case Verb::imbalance:
    case Verb::address:
    case Verb::restore:
    case Verb::soc:
      if (c.module >= n) return "no module " + std::to_string(c.module);
      return {};
    case Verb::duplicate:
      if (n < 2) return "duplicate needs at least 2 modules";
      if (c.module >= n) return "no module at address " + std::to_string(c.module);
      return {};
    case Verb::gap:
      if (c.module >= n) return "no module " + std::to_string(c.module);
      if (n >= bus::kMaxModules) return "gap needs a free address above the top module";
      return {};
    default:
      return {};
  }
}

std::string Simulator::apply(const Command& c) {
  if (auto why = check(c); !why.empty()) return why;
  switch (c.verb) {
    case Verb::drop:
    case Verb::freeze:
    case Verb::garbage:
    case Verb::ov:
    case Verb::overdischarge:
    case Verb::overtemp:
    case Verb::overcurrent:
    case Verb::imbalance:
      set_fault(modules_[static_cast<std::size_t>(c.module)].faults(), c);
      break;
    case Verb::address:
    case Verb::duplicate:
    case Verb::gap:
      readdress(c);
      break;
    case Verb::restore:
      restore(c.module);
      break;
    case Verb::noise:
      noise_ = c.value;
      break;
    case Verb::silence:
      silence_until_ = now_ + static_cast<MonoMs>(c.value);
      break;
    case Verb::load:
      load_ = c.value;
      load_watts_ = c.flag;
      break;
    case Verb::charger:
      switch_charger(c.flag, c.value);
      break;
    case Verb::ambient:
      ambient_c_ = c.value;
      break;
    case Verb::soc:
      for (auto& m : modules_) {
        if (c.module < 0 || m.index() == c.module) m.pack().set_soc(c.value / 100.0);
      }
      break;
    case Verb::heatsink:
      heatsink_forced_ = !c.flag;
      heatsink_forced_c_ = c.value;
      break;
    case Verb::power_on:
      for (auto& m : modules_) m.power_on(last_tick());
      break;
    case Verb::status:
      break;
  }
  return {};
}

void Simulator::readdress(const Command& c) {
  const auto module_at = [&](int i) -> SimModule& { return modules_[static_cast<std::size_t>(i)]; };
  switch (c.verb) {
    case Verb::address:
      module_at(c.module).set_address(c.target);
      break;
    case Verb::duplicate: {
      // The highest module other than the address itself answers there too.
      int mover = module_count() - 1;
      if (mover == c.module) --mover;
      module_at(mover).set_address(c.module);
      break;
    }
    case Verb::gap:
      module_at(c.module).set_address(module_count());
      break;
    default:
      break;
  }
}

void Simulator::restore(int module) {
  const bool all = module < 0;
  for (auto& m : modules_) {
    // restore M also undoes a duplicate that moved another module onto M.
    if (all || m.index() == module || m.address() == module) m.set_address(m.index());
    if (all || m.index() == module) m.faults() = Faults{};
  }
  if (all) {
    noise_ = 0;
    silence_until_ = std::numeric_limits<MonoMs>::min();
  }
}

void Simulator::switch_charger(bool on, double cc_a) {
  // A charger's voltage on EB+/EB- powers a shut-down system on again.
  if (on && !charger_on_) {
    for (auto& m : modules_) m.power_on(last_tick());
  }
  charger_on_ = on;
  if (on) charger_cc_a_ = cc_a > 0 ? cc_a : 0;
}

std::string Simulator::command(std::string_view line) {
  const auto parsed = parse_command(line);
  if (!parsed.command) return "error " + parsed.error;
  if (auto why = apply(*parsed.command); !why.empty()) return "error " + why;
  if (parsed.command->verb == Verb::status) return "ok " + summary();
  return "ok";
}

std::string Simulator::summary() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "t=%.1fs V=%.2f I=%+.1f hs=%.1f charger=%s load=%.1f%s paths=%c%c",
                phys_s_, bus_v_, battery_a_, heatsink_c(), charger_on_ ? "on" : "off", load_,
                load_watts_ ? "W" : "A", ctrl_charge_ ? 'C' : '-', ctrl_discharge_ ? 'D' : '-');
  std::string s = buf;
  for (int i = 0; i < module_count(); ++i) {
    const ModuleView v = module(i);
    std::snprintf(buf, sizeof buf, " m%d@%d=%s%.1f%%/%.2fV/%+.1fA/st%X/%04X", i, v.address,
                  v.powered ? "" : "off:", v.rsoc * 100, v.voltage_v, v.current_a, v.firmware.state,
                  v.firmware.alarms);
    s += buf;
  }
  return s;
}

}  // namespace essd::sim
