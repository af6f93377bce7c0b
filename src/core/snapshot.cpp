// Controller::snapshot(): the whole SystemSnapshot, built on demand from
// the registry and the last evaluation (never per frame).
#include <cstdio>

#include "core/controller_impl.hpp"

namespace essd::core {

namespace {

constexpr const char* kErrorCodes[kErrCount] = {
    "comm_error",     "ov_error",           "discharge_error",       "no_module",
    "topology_gap",   "topology_duplicate", "topology_too_many",     "topology_too_few",
    "topology_count", "topology_pair",      "topology_voltage",      "maintenance",
    "heatsink",       "overcurrent_charge", "overcurrent_discharge", "balance"};

void add_lines(std::vector<std::string>& out, std::uint16_t mask, const char* prefix) {
  for (int a = 0; a < bus::kMaxModules; ++a)
    if (mask & (1u << a)) out.push_back(prefix + std::to_string(a));
}

}  // namespace

const char* error_code(int index) {
  return index >= 0 && index < kErrCount ? kErrorCodes[index] : "?";
}

std::vector<std::string> cause_strings(const Causes& c) {
  std::vector<std::string> out;
  auto add = [&](std::uint32_t bit, const char* s) {
    if (c.bits & bit) out.emplace_back(s);
  };
  add(kCauseStarting, "starting");
  add(kCauseNoModule, "no_module");
  add(kCauseTopology, "topology");
  add(kCauseCommError, "comm_error");
  add_lines(out, c.chg_line, "module_chg_line:");
  add_lines(out, c.ov_line, "module_ov_line:");
  add_lines(out, c.dis_line, "module_dis_line:");
  add(kCauseHwChg, "hw_chg_line");
  add(kCauseHwOv, "hw_ov_line");
  add(kCauseHwDis, "hw_dis_line");
  add(kCauseOffMode, "off_mode");
  add(kCauseMaintenance, "maintenance");
  add(kCauseOvercurrent, "overcurrent");
  add(kCauseHeatsink, "heatsink");
  add(kCauseOvError, "ov_error");
  add(kCauseDischargeError, "discharge_error");
  add(kCauseBalance, "balance");
  add(kCauseHostDisconnect, "host_disconnect");
  add(kCauseShutdown, "shutdown");
  return out;
}

SystemSnapshot Controller::Impl::snapshot(MonoMs now) const {
  SystemSnapshot s;
  s.now_ms = now;
  s.revision = revision;
  s.model = cfg.model;
  s.topology = cfg.topology;
  s.mode = cur.mode;
  s.configured_modules = cfg.expected_modules;
  if (cur.agg.count > 0) {
    s.voltage_v = cur.agg.voltage_v;
    s.current_a = cur.agg.current_a;
    s.rsoc_known = cur.agg.rsoc_known;
    s.rsoc_pct = cur.agg.rsoc_known ? cur.agg.rsoc_pct : 0.0;
  }
  s.charge.closed = !cur.charge.any();
  s.charge.blocked_by = cause_strings(cur.charge);
  s.discharge.closed = !cur.discharge.any();
  s.discharge.blocked_by = cause_strings(cur.discharge);

  for (int i = 0; i < kErrCount; ++i) {
    if (!(cur.errors & (1u << i))) continue;
    ErrorSnapshot e;
    e.code = kErrorCodes[i];
    e.since_ms = error_since[static_cast<std::size_t>(i)];
    char buf[32];
    switch (i) {
      case kErrComm:
        e.text = "COMM ERROR";
        break;
      case kErrOv:
        e.text = "OV ERROR";
        break;
      case kErrDischarge:
        e.text = "DISCHARGE ERROR";
        break;
      case kErrNoModule:
        e.text = "NO MODULE";
        break;
      case kErrTopoGap:
        std::snprintf(buf, sizeof buf, "ADDRESS GAP %02d", cur.topology.address);
        e.text = buf;
        break;
      case kErrTopoDuplicate:
        std::snprintf(buf, sizeof buf, "DUPLICATE ADDR %02d", cur.topology.address);
        e.text = buf;
        break;
      case kErrTopoTooMany:
        e.text = "TOO MANY MODULES";
        break;
      case kErrTopoTooFew:
        e.text = "TOO FEW MODULES";
        break;
      case kErrTopoCount:
        std::snprintf(buf, sizeof buf, "COUNT %d NOT %d", popcount16(cur.connected),
                      cfg.expected_modules);
        e.text = buf;
        break;
      case kErrTopoPair:
        e.text = "PAIR INCOMPLETE";
        break;
      case kErrTopoVoltage:
        e.text = "VOLTAGE RANGE";
        break;
      case kErrMaintenance:
        e.text = "COMM OFF MODE";
        break;
      case kErrHeatsink:
        e.text = "HEATSINK TEMP";
        break;
      case kErrOvercurrentChg:
        e.text = "OVERCURRENT CHG";
        break;
      case kErrOvercurrentDis:
        e.text = "OVERCURRENT DIS";
        break;
      case kErrBalance:
        e.text = "BALANCE CHECK";
        break;
      default:
        break;
    }
    s.errors.push_back(std::move(e));
  }
  s.limits = cur.limits;
  s.heatsink_c = heatsink_c;

  s.modules_connected = popcount16(cur.connected);
  s.modules_lost = popcount16(cur.lost);
  for (int a = 0; a < bus::kMaxModules; ++a) {
    const ModuleRecord& m = reg.module(a);
    ModuleSnapshot& ms = s.modules[static_cast<std::size_t>(a)];
    ms.address = static_cast<std::uint8_t>(a);
    // The link as last evaluated (the registry may already know more, but
    // the snapshot must agree with the paths it shows).
    ms.link = (cur.connected & (1u << a)) ? Link::connected
              : (cur.lost & (1u << a))    ? Link::lost
                                          : Link::absent;
    ms.seen = m.seen;
    ms.stale = ms.link != Link::connected || maintenance;
    ms.age_ms = m.last_valid_ms >= 0 ? now - m.last_valid_ms : -1;
    ms.status = m.status;
    ms.alarms = m.alarms;
    ms.info = m.info;
    ms.cells_mv = m.cells_mv;
    ms.cell_temps_c.assign(m.cell_temps.begin(), m.cell_temps.begin() + m.cell_temp_count);
    ms.invalid = m.invalid;
    ms.missed_frames = m.missed_frames;
    s.con_map[static_cast<std::size_t>(15 - a)] = ms.link == Link::connected ? 'O'
                                                  : ms.link == Link::lost    ? 'X'
                                                                             : '-';
  }

  s.starting = starting;
  s.comm_error = cur.lost != 0;
  s.no_module = !cur.connected && !cur.lost;
  s.ov_error = latches.ov_error;
  s.discharge_error = latches.discharge_error;
  s.topology_error = cur.topology.error;
  s.topology_address = cur.topology.address;
  s.off_mode = panel.off_mode;
  s.maintenance = maintenance;
  s.host_disconnect = host_disconnect;
  s.overcurrent_charge = oc_charge.tripped;
  s.overcurrent_discharge = oc_discharge.tripped;
  s.heatsink_trip = heatsink_trip;
  s.balance_fail = balance_fail;
  s.power_hold = !shutdown;
  s.ctrl_mode = cur.mode == SystemMode::shutdown      ? bus::kCtrlShutdown
                : cur.mode == SystemMode::maintenance ? bus::kCtrlMaintenance
                                                      : bus::kCtrlNormal;
  return s;
}

}  // namespace essd::core
