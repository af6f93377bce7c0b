// SPDX-License-Identifier: MIT
// The key table (see key_table.hpp). Bounds are the bracketed ones of docs/configuration.md
// "File"; keys not listed there are our documented additions (same page).
#include "config/key_table.hpp"

#include <algorithm>

#include "config/validators.hpp"

namespace essd::config::detail {

// Accessor generators: one captureless lambda per field, converted to a
// plain function pointer so the table is a static, immutable array.
// The arguments are field names and designated-initializer values, which
// parentheses would break.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ESSD_INT(sec, key, field, lo_, hi_, extra, cmt)                                        \
  KeyDef {                                                                                     \
    .section = sec, .name = key, .kind = Kind::integer, .lo = lo_, .hi = hi_,                  \
    .get_int = [](const Config& c) -> std::int64_t { return c.field; },                        \
    .set_int = [](Config& c, std::int64_t v) { c.field = static_cast<decltype(c.field)>(v); }, \
    .check_int = extra, .comment = cmt                                                         \
  }
#define ESSD_HEX(sec, key, field, lo_, hi_, cmt)                                               \
  KeyDef {                                                                                     \
    .section = sec, .name = key, .kind = Kind::integer, .lo = lo_, .hi = hi_,                  \
    .get_int = [](const Config& c) -> std::int64_t { return c.field; },                        \
    .set_int = [](Config& c, std::int64_t v) { c.field = static_cast<decltype(c.field)>(v); }, \
    .hex = true, .comment = cmt                                                                \
  }
#define ESSD_NUM(sec, key, field, lo_, hi_, cmt)                             \
  KeyDef {                                                                   \
    .section = sec, .name = key, .kind = Kind::number, .lo = lo_, .hi = hi_, \
    .get_num = [](const Config& c) -> double { return c.field; },            \
    .set_num = [](Config& c, double v) { c.field = v; }, .comment = cmt      \
  }
#define ESSD_BOOL(sec, key, field, cmt)                                \
  KeyDef {                                                             \
    .section = sec, .name = key, .kind = Kind::boolean,                \
    .get_bool = [](const Config& c) -> bool { return c.field; },       \
    .set_bool = [](Config& c, bool v) { c.field = v; }, .comment = cmt \
  }
#define ESSD_STR(sec, key, field, check, cmt)                                   \
  KeyDef {                                                                      \
    .section = sec, .name = key, .kind = Kind::string,                          \
    .get_str = [](const Config& c) -> std::string { return c.field; },          \
    .set_str = [](Config& c, std::string_view v) { c.field = std::string(v); }, \
    .check_str = check, .comment = cmt                                          \
  }
#define ESSD_GPIO(key, field, cmt) ESSD_STR("panel", key, panel.field, check_gpio, cmt)
// NOLINTEND(bugprone-macro-parentheses)

const std::vector<SectionDef>& sections() {
  static const std::vector<SectionDef> kSections = {
      {"system", "The controller and the modules it expects."},
      {"bus", "The module bus (CAN, 500 kbit/s): SocketCAN or an SLCAN adapter on a tty."},
      {"api", "The local JSON-lines API socket (docs/api.md)."},
      {"panel",
       "The front panel. GPIO lines: \"\" = not used, \"gpiochip0:17\" (chip and offset),\n"
       "\"17\" (offset on gpiochip0) or a line name \"CHG_PATH\"; a leading '!' means\n"
       "active-low. One line may serve one role only."},
      {"history", "The event history (SQLite, WAL)."},
      {"host.can", "Host link: Pylontech-compatible CAN for inverters (docs/host-links.md)."},
      {"host.modbus", "Host link: SunSpec over Modbus RTU (docs/host-links.md)."},
      {"limits", "Controller limits (docs/core.md); bounds in brackets."},
      {"sim", "Simulation (used with --sim only)."},
  };
  return kSections;
}

// One table of every key, read top to bottom like config/essd.toml.
// NOLINTNEXTLINE(readability-function-size)
const std::vector<KeyDef>& key_table() {
  static const std::vector<KeyDef> kKeys = {
      // [system]
      KeyDef{
          .section = "system",
          .name = "model",
          .kind = Kind::string,
          .get_str = [](const Config& c) { return std::string(to_string(c.system.model)); },
          .set_str = [](Config& c, std::string_view v) { c.system.model = *model_from_string(v); },
          .check_str = check_model,
          .comment = "IJ1001C | IJ1002C | IJ4001C"},
      KeyDef{.section = "system",
             .name = "topology",
             .kind = Kind::string,
             .get_str = [](const Config& c) { return std::string(to_string(c.system.topology)); },
             .set_str = [](Config& c,
                           std::string_view v) { c.system.topology = *topology_from_string(v); },
             .check_str = check_topology,
             .comment = "parallel | series | series-parallel"},
      ESSD_INT("system", "modules", system.modules, 0, 16, nullptr,
               "expected module count; 0 = accept any valid count"),
      ESSD_STR("system", "state_file", system.state_file, check_abs_path,
               "persisted OV/DISCHARGE ERROR latches"),
      // [bus]
      ESSD_STR("bus", "transport", bus.transport, check_transport, "socketcan | slcan"),
      ESSD_STR("bus", "interface", bus.interface, check_ifname, "socketcan"),
      ESSD_STR("bus", "device", bus.device, check_abs_path, "slcan"),
      ESSD_INT("bus", "baud", bus.baud, 1200, 4000000, check_tty_baud, "slcan tty speed"),
      ESSD_INT("bus", "bitrate", bus.bitrate, 0, 1000000, check_can_bitrate,
               "socketcan bitrate, set when permitted; 0 = leave as is"),
      ESSD_INT("bus", "restart_ms", bus.restart_ms, 0, 60000, nullptr,
               "socketcan bus-off auto restart [0, 60000]; 0 = leave as is"),
      ESSD_STR("bus", "record", bus.record, check_abs_path_or_empty,
               "candump-format log of every frame; \"\" = off"),
      ESSD_INT("bus", "record_max_mb", bus.record_max_mb, 1, 4096, nullptr,
               "[1, 4096] rotated by size, the newest kept"),
      // [api]
      ESSD_STR("api", "socket", api.socket, check_socket_path, "Unix socket, mode 0660"),
      ESSD_STR("api", "group", api.group, check_group_name, "group owning the socket"),
      ESSD_STR("api", "admin_group", api.admin_group, check_group_name,
               "members may use privileged commands"),
      ESSD_INT("api", "max_clients", api.max_clients, 1, 1024, nullptr, "[1, 1024]"),
      ESSD_INT("api", "max_clients_per_uid", api.max_clients_per_uid, 1, 1024, nullptr,
               "[1, 1024] per peer uid other than root and the admin group"),
      ESSD_INT("api", "idle_timeout_s", api.idle_timeout_s, 0, 86400, nullptr,
               "[0, 86400] a client that neither watches nor sends is closed; 0 = never"),
      // [panel]
      ESSD_STR("panel", "lcd", panel.lcd, check_lcd, "none | terminal | hd44780-i2c"),
      ESSD_STR("panel", "i2c_bus", panel.i2c_bus, check_abs_path, "hd44780-i2c"),
      ESSD_HEX("panel", "i2c_address", panel.i2c_address, 0x03, 0x77,
               "hd44780-i2c (PCF8574 backpack) [0x03, 0x77]"),
      ESSD_GPIO("led_red", led_red, "output: red LED"),
      ESSD_GPIO("led_green", led_green, "output: green LED"),
      ESSD_GPIO("chg_lamp", chg_lamp, "output: CHG lamp"),
      ESSD_GPIO("dis_lamp", dis_lamp, "output: DIS lamp"),
      ESSD_GPIO("charge_path", charge_path, "output: charge path relay (open when released)"),
      ESSD_GPIO("discharge_path", discharge_path,
                "output: discharge path relay (open when released)"),
      ESSD_GPIO("power_hold", power_hold, "output: power hold"),
      ESSD_GPIO("disp_button", disp_button, "input: DISP button"),
      ESSD_GPIO("sw_on", sw_on,
                "input: SW ON (active = OFF mode; '!' for a line pulled low by the resistor)"),
      ESSD_GPIO("hw_chg", hw_chg, "input: hard-wired CHG line"),
      ESSD_GPIO("hw_dis", hw_dis, "input: hard-wired DIS line"),
      ESSD_GPIO("hw_ov", hw_ov, "input: hard-wired OV line"),
      ESSD_INT("panel", "debounce_ms", panel.debounce_ms, 0, 1000, nullptr,
               "input debounce [0, 1000]"),
      // [history]
      ESSD_STR("history", "path", history.path, check_abs_path, "SQLite database"),
      ESSD_INT("history", "max_events", history.max_events, 100, 10000000, nullptr,
               "oldest events trimmed beyond this [100, 10000000]"),
      // [host.can]
      ESSD_BOOL("host.can", "enabled", host_can.enabled, ""),
      ESSD_STR("host.can", "transport", host_can.transport, check_transport, "socketcan | slcan"),
      ESSD_STR("host.can", "interface", host_can.interface, check_ifname, "socketcan"),
      ESSD_STR("host.can", "device", host_can.device, check_abs_path, "slcan"),
      ESSD_INT("host.can", "baud", host_can.baud, 1200, 4000000, check_tty_baud, "slcan tty speed"),
      ESSD_INT("host.can", "period_ms", host_can.period_ms, 200, 5000, nullptr, "[200, 5000]"),
      ESSD_STR("host.can", "manufacturer_name", host_can.manufacturer_name, check_name8,
               "0x35E, up to 8 characters"),
      ESSD_BOOL("host.can", "victron_frames", host_can.victron_frames, "0x372/0x373/0x379"),
      ESSD_BOOL("host.can", "require_keepalive", host_can.require_keepalive,
                "0x305 absent for 10 s -> event"),
      // [host.modbus]
      ESSD_BOOL("host.modbus", "enabled", host_modbus.enabled, ""),
      ESSD_STR("host.modbus", "device", host_modbus.device, check_abs_path, ""),
      ESSD_INT("host.modbus", "baud", host_modbus.baud, 9600, 115200, check_tty_baud,
               "[9600, 115200]"),
      ESSD_STR("host.modbus", "parity", host_modbus.parity, check_parity, "none | even | odd"),
      ESSD_INT("host.modbus", "unit", host_modbus.unit, 1, 247, nullptr, "[1, 247]"),
      ESSD_BOOL("host.modbus", "allow_writes", host_modbus.allow_writes, ""),
      ESSD_STR("host.modbus", "manufacturer", host_modbus.manufacturer, check_text32,
               "SunSpec Mn, 1-32 characters"),
      ESSD_STR("host.modbus", "serial", host_modbus.serial, check_text32_or_empty,
               "SunSpec SN, up to 32 characters"),
      // [limits]
      ESSD_NUM("limits", "charge_voltage_per_module", limits.charge_voltage_per_module, 56.8, 58.4,
               "[56.8, 58.4] V"),
      ESSD_NUM("limits", "discharge_voltage_per_module", limits.discharge_voltage_per_module, 30.0,
               48.0, "[30.0, 48.0] V"),
      ESSD_NUM("limits", "charge_current_per_module", limits.charge_current_per_module, 0, 24,
               "[0, 24] A"),
      ESSD_NUM("limits", "discharge_current_per_module", limits.discharge_current_per_module, 0, 50,
               "[0, 50] A"),
      ESSD_NUM("limits", "heatsink_trip_c", limits.heatsink_trip_c, 60, 100, "[60, 100]"),
      ESSD_NUM("limits", "heatsink_clear_c", limits.heatsink_clear_c, 40, 95,
               "[40, heatsink_trip_c - 5]"),
      ESSD_STR("limits", "heatsink_sensor", limits.heatsink_sensor, check_abs_path_or_empty,
               "hwmon/thermal file in millidegrees; \"\" = none"),
      ESSD_NUM("limits", "overcurrent_instant_pct", limits.overcurrent_instant_pct, 100, 200,
               "[100, 200] % of the model rating"),
      ESSD_INT("limits", "overcurrent_rounds", limits.overcurrent_rounds, 1, 20, nullptr,
               "[1, 20] STATUS rounds"),
      ESSD_INT("limits", "overcurrent_holdoff_s", limits.overcurrent_holdoff_s, 1, 600, nullptr,
               "[1, 600]"),
      ESSD_INT("limits", "auto_shutdown_s", limits.auto_shutdown_s, 10, 3600, nullptr,
               "[10, 3600]"),
      ESSD_INT("limits", "comm_timeout_ms", limits.comm_timeout_ms, 200, 5000, nullptr,
               "[200, 5000]"),
      // [sim]
      ESSD_STR("sim", "scenario", sim.scenario, check_abs_path_or_empty,
               "scenario file; \"\" = normal operation"),
      ESSD_NUM("sim", "ambient_c", sim.ambient_c, -40, 85, "[-40, 85]"),
      ESSD_NUM("sim", "initial_soc_pct", sim.initial_soc_pct, 0, 100, "[0, 100]"),
      ESSD_INT("sim", "seed", sim.seed, 0, 4294967295.0, nullptr, "[0, 4294967295]"),
  };
  return kKeys;
}

const KeyDef* find_key(std::string_view section, std::string_view name) {
  const auto& t = key_table();
  auto it = std::find_if(t.begin(), t.end(),
                         [&](const KeyDef& k) { return k.section == section && k.name == name; });
  return it == t.end() ? nullptr : &*it;
}

bool is_section(std::string_view name) {
  const auto& s = sections();
  return std::any_of(s.begin(), s.end(), [&](const SectionDef& d) { return d.name == name; });
}

}  // namespace essd::config::detail
