// SPDX-License-Identifier: MIT
#include "panel/screens.hpp"

#include <cmath>
#include <cstdio>

#include "essd/module_bus.hpp"

namespace essd::panel {
namespace {

// printf into a string; the formats are the spec's, fields are clamped first
// so no result comes near the buffer size.
template <class... A>
std::string fmt(const char* f, A... a) {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, f, a...);
  if (n < 0) return {};
  return std::string(buf, static_cast<std::size_t>(std::min<int>(n, sizeof buf - 1)));
}

// An unknown value: "--" right-aligned in the field's printf width, so the
// units and the other fields stay in their columns.
std::string dashes(int width) {
  std::string d = "--";
  if (width > 2) d.insert(0, static_cast<std::size_t>(width - 2), ' ');
  return d;
}

// Clamps to the manual's range and remembers that it did (the '*' marker).
struct Clamp {
  bool hit = false;
  double operator()(double v, double lo, double hi) {
    if (v < lo) {
      hit = true;
      return lo;
    }
    if (v > hi) {
      hit = true;
      return hi;
    }
    return v;
  }
};

std::string rsoc_field(std::optional<double> pct, Clamp& c) {
  if (!pct || std::isnan(*pct)) return dashes(3);
  return fmt("%3d", static_cast<int>(std::lround(c(*pct, 0, 100))));
}
std::string current_field(std::optional<double> a, Clamp& c) {
  if (!a || std::isnan(*a)) return dashes(6);
  return fmt("%+6.1f", c(*a, -999.9, 999.9));
}
std::string voltage_field(std::optional<double> v, Clamp& c) {
  if (!v || std::isnan(*v)) return dashes(5);
  return fmt("%5.1f", c(*v, 0.0, 999.9));
}
std::string module_no(std::optional<int> m) {
  return m ? fmt("%02d", *m) : dashes(2);
}

// Up to three value lines under a title; each line carries its own clamp.
struct Screen {
  Lines lines;
  void set(std::size_t row, std::string text, const Clamp& c = {}) {
    lines[row] = fit_line(std::move(text), c.hit);
  }
};

Lines overall(const SystemSnapshot& s) {
  const bool any = s.modules_connected > 0;
  const char* mode = (s.off_mode || s.mode == SystemMode::off) ? "OFF"
                     : s.current_a > 0                         ? "CHG"
                                                               : "DIS";
  Screen sc;
  sc.set(0, "Overall");
  Clamp c1, c2, c3;
  std::optional<double> rsoc;
  if (any && s.rsoc_known) rsoc = s.rsoc_pct;
  sc.set(1, std::string("MODE=") + mode + "   RSOC=" + rsoc_field(rsoc, c1) + "%", c1);
  sc.set(2, "I=" + current_field(any ? std::optional(s.current_a) : std::nullopt, c2) + "A", c2);
  sc.set(3, "V=" + voltage_field(any ? std::optional(s.voltage_v) : std::nullopt, c3) + "V", c3);
  return sc.lines;
}

std::string con_map(const SystemSnapshot& s) {
  std::string m = s.con_map;
  m.resize(16, '-');
  return m;
}

Lines connection(const SystemSnapshot& s) {
  Screen sc;
  sc.set(0, "Connection");
  Clamp c;
  const int unit = static_cast<int>(c(s.modules_connected, 0, bus::kMaxModules));
  sc.set(1, fmt("UNIT=%02d    VER=%04X", unit, controller_version_code()), c);
  sc.set(2, "CON=" + con_map(s));
  sc.set(3, "");
  return sc.lines;
}

Lines per_module(Item item, const SystemSnapshot& s, int module) {
  const std::uint16_t mask = connected_mask(s);
  std::optional<int> mno;
  const ModuleSnapshot* m = nullptr;
  if (mask != 0 && module >= 0 && module < bus::kMaxModules) {
    mno = module;
    // Values only from a connected module: a lost one shows "--", never
    // its last numbers as if they were current.
    if (mask & (1u << module)) m = &s.modules[static_cast<std::size_t>(module)];
  }
  const bus::Status* st = (m && m->status) ? &*m->status : nullptr;
  const bus::Alarms* al = (m && m->alarms) ? &*m->alarms : nullptr;
  const std::string mno_s = "M_NO=" + module_no(mno);
  Screen sc;
  switch (item) {
    case Item::status:
      sc.set(0, "Status");
      sc.set(1, mno_s);
      sc.set(2, "STAT=" + (st ? fmt("%X%X", st->state & 0xF, st->prev_state & 0xF) : dashes(2)));
      sc.set(3, st && !bus::state_text(st->state).empty()
                    ? "[" + std::string(bus::state_text(st->state)) + "]"
                    : "");
      break;
    case Item::module: {
      sc.set(0, "Mode,Current,SOC,V");
      Clamp c1, c2, c3;
      std::optional<double> rsoc, i, v;
      if (st) {
        if (st->rsoc != bus::kRsocUnknown) rsoc = st->rsoc;
        i = st->current_100ma / 10.0;
        v = st->voltage_10mv / 100.0;
      }
      sc.set(1, mno_s + "   RSOC=" + rsoc_field(rsoc, c1) + "%", c1);
      sc.set(2, "I=" + current_field(i, c2) + "A", c2);
      sc.set(3, "V=" + voltage_field(v, c3) + "V", c3);
      break;
    }
    case Item::cell: {
      sc.set(0, "Cell Temp,Cycle");
      Clamp c1, c2;
      std::string cycl = al ? fmt("%04d", static_cast<int>(c1(al->cycles, 0, 9999))) : dashes(4);
      sc.set(1, mno_s + "   CYCL=" + cycl, c1);
      std::string t = al ? fmt("%+5.1f", c2(al->temp_avg_decic / 10.0, -99.9, 99.9)) : dashes(5);
      sc.set(2, "T=" + t + "C", c2);
      sc.set(3, "");
      break;
    }
    default: {  // Item::alarm
      sc.set(0, "Alarm bits");
      sc.set(1, mno_s);
      sc.set(2, "ALRM=" + (al ? fmt("%04X", al->bits) : dashes(4)));
      const std::string_view text = al ? bus::alarm_text(al->bits) : std::string_view{};
      sc.set(3, text.empty() ? "" : "[" + std::string(text) + "]");
      break;
    }
  }
  return sc.lines;
}

Lines heatsink(const SystemSnapshot& s) {
  Screen sc;
  sc.set(0, "Heatsink Temp");
  Clamp c;
  std::string v = "--";
  if (s.heatsink_c && !std::isnan(*s.heatsink_c)) {
    v = fmt("%+d", static_cast<int>(std::lround(c(*s.heatsink_c, -40, 119))));
  }
  sc.set(1, "HEATSINK_TMP=" + v + "C", c);
  sc.set(2, "");
  sc.set(3, "");
  return sc.lines;
}

std::string topology_detail(const SystemSnapshot& s) {
  for (const auto& e : s.errors) {
    if (e.code.rfind("topology", 0) == 0 && !e.text.empty()) return e.text;
  }
  // The core names the error in its text; this is only the fallback.
  switch (s.topology_error) {
    case TopologyError::gap:
      return fmt("ADDRESS GAP %02d", s.topology_address);
    case TopologyError::duplicate:
      return fmt("DUPLICATE ADDR %02d", s.topology_address);
    case TopologyError::too_many:
      return "TOO MANY MODULES";
    case TopologyError::too_few:
      return "TOO FEW MODULES";
    case TopologyError::count:
      return fmt("COUNT %d NOT %d", s.modules_connected, s.configured_modules);
    case TopologyError::pair:
      return "PAIR INCOMPLETE";
    case TopologyError::voltage:
      return "VOLTAGE RANGE";
    case TopologyError::none:
      break;
  }
  return "";
}

}  // namespace

std::string fit_line(std::string text, bool clamped) {
  text.resize(kLineWidth, ' ');
  if (clamped) text.back() = '*';
  return text;
}

std::string_view to_string(ErrorScreen e) {
  switch (e) {
    case ErrorScreen::comm_error:
      return "comm_error";
    case ErrorScreen::ov_error:
      return "ov_error";
    case ErrorScreen::discharge_error:
      return "discharge_error";
    case ErrorScreen::no_module:
      return "no_module";
    case ErrorScreen::topology:
      return "topology";
    case ErrorScreen::maintenance:
      return "maintenance";
  }
  return "?";
}

std::optional<ErrorScreen> standing_error(const SystemSnapshot& s) {
  if (s.comm_error) return ErrorScreen::comm_error;
  if (s.ov_error) return ErrorScreen::ov_error;
  if (s.discharge_error) return ErrorScreen::discharge_error;
  if (s.no_module) return ErrorScreen::no_module;
  if (s.topology_error != TopologyError::none) return ErrorScreen::topology;
  if (s.maintenance || s.mode == SystemMode::maintenance) return ErrorScreen::maintenance;
  return std::nullopt;
}

std::uint16_t connected_mask(const SystemSnapshot& s) {
  std::uint16_t mask = 0;
  for (std::size_t a = 0; a < s.modules.size(); ++a) {
    if (s.modules[a].link == Link::connected) mask |= static_cast<std::uint16_t>(1u << a);
  }
  return mask;
}

Lines item_lines(Item item, const SystemSnapshot& s, int module) {
  switch (item) {
    case Item::overall:
      return overall(s);
    case Item::connection:
      return connection(s);
    case Item::heatsink:
      return heatsink(s);
    default:
      return per_module(item, s, module);
  }
}

Lines error_lines(ErrorScreen e, const SystemSnapshot& s) {
  Screen sc;
  const auto put = [&](const char* a, std::string b, const char* c) {
    sc.set(0, a);
    sc.set(1, std::move(b));
    sc.set(2, c);
    sc.set(3, "");
  };
  switch (e) {
    case ErrorScreen::comm_error:
      put("COMM ERROR", "CON=" + con_map(s), "Check comm cables");
      break;
    case ErrorScreen::ov_error:
      put("OV ERROR", "Please discharge", "");
      break;
    case ErrorScreen::discharge_error:
      put("DISCHARGE ERROR", "Please charge", "");
      break;
    case ErrorScreen::no_module:
      put("NO MODULE", "Connect modules", "");
      break;
    case ErrorScreen::topology:
      put("TOPOLOGY ERROR", topology_detail(s), "");
      break;
    case ErrorScreen::maintenance:
      put("COMM OFF MODE", "For maintenance only", "");
      break;
  }
  return sc.lines;
}

}  // namespace essd::panel
