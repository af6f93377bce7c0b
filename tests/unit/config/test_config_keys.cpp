// SPDX-License-Identifier: MIT
// Every key: a non-default value written in the file reaches the right field;
// the default text parses back to Config{} and equals config/essd.toml.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "config/key_table.hpp"
#include "config_test_util.hpp"

namespace essd::config {
namespace {

using test::all_errors;
using test::parse_ok_groups;

struct KeyCase {
  const char* section;
  const char* key;
  const char* value;  // TOML literal, not the default
  std::function<bool(const Config&)> applied;
  const char* context = "";  // other lines the value needs to be valid
};

const std::vector<KeyCase>& key_cases() {
  static const std::vector<KeyCase> k = {
      {"system", "model", "\"IJ1002C\"", [](auto& c) { return c.system.model == Model::ij1002c; }},
      {"system", "topology", "\"series\"",
       [](auto& c) { return c.system.topology == Topology::series; }, "model = \"IJ4001C\"\n"},
      {"system", "modules", "4", [](auto& c) { return c.system.modules == 4; }},
      {"system", "state_file", "\"/x/l\"", [](auto& c) { return c.system.state_file == "/x/l"; }},
      {"bus", "transport", "\"slcan\"", [](auto& c) { return c.bus.transport == "slcan"; }},
      {"bus", "interface", "\"vcan0\"", [](auto& c) { return c.bus.interface == "vcan0"; }},
      {"bus", "device", "\"/dev/ttyUSB3\"", [](auto& c) { return c.bus.device == "/dev/ttyUSB3"; }},
      {"bus", "baud", "57600", [](auto& c) { return c.bus.baud == 57600; }},
      {"bus", "bitrate", "250000", [](auto& c) { return c.bus.bitrate == 250000; }},
      {"bus", "restart_ms", "0", [](auto& c) { return c.bus.restart_ms == 0; }},
      {"bus", "record", "\"/var/lib/essd/bus.log\"",
       [](auto& c) { return c.bus.record == "/var/lib/essd/bus.log"; }},
      {"bus", "record_max_mb", "8", [](auto& c) { return c.bus.record_max_mb == 8; }},
      {"api", "socket", "\"/tmp/e.sock\"", [](auto& c) { return c.api.socket == "/tmp/e.sock"; }},
      {"api", "group", "\"users\"",
       [](auto& c) { return c.api.group == "users" && c.api.group_explicit; }},
      {"api", "admin_group", "\"wheel\"",
       [](auto& c) { return c.api.admin_group == "wheel" && c.api.admin_group_explicit; }},
      {"api", "max_clients", "7", [](auto& c) { return c.api.max_clients == 7; }},
      {"api", "max_clients_per_uid", "5", [](auto& c) { return c.api.max_clients_per_uid == 5; }},
      {"api", "idle_timeout_s", "0", [](auto& c) { return c.api.idle_timeout_s == 0; }},
      {"panel", "lcd", "\"hd44780-i2c\"", [](auto& c) { return c.panel.lcd == "hd44780-i2c"; }},
      {"panel", "i2c_bus", "\"/dev/i2c-3\"",
       [](auto& c) { return c.panel.i2c_bus == "/dev/i2c-3"; }},
      {"panel", "i2c_address", "0x3f", [](auto& c) { return c.panel.i2c_address == 0x3f; }},
      {"panel", "led_red", "\"gpiochip0:5\"",
       [](auto& c) { return c.panel.led_red == "gpiochip0:5"; }},
      {"panel", "led_green", "\"6\"", [](auto& c) { return c.panel.led_green == "6"; }},
      {"panel", "chg_lamp", "\"CHG_LAMP\"", [](auto& c) { return c.panel.chg_lamp == "CHG_LAMP"; }},
      {"panel", "dis_lamp", "\"!DIS_LAMP\"",
       [](auto& c) { return c.panel.dis_lamp == "!DIS_LAMP"; }},
      {"panel", "charge_path", "\"gpiochip1:0\"",
       [](auto& c) { return c.panel.charge_path == "gpiochip1:0"; }},
      {"panel", "discharge_path", "\"gpiochip1:1\"",
       [](auto& c) { return c.panel.discharge_path == "gpiochip1:1"; }},
      {"panel", "power_hold", "\"PWR\"", [](auto& c) { return c.panel.power_hold == "PWR"; }},
      {"panel", "disp_button", "\"!20\"", [](auto& c) { return c.panel.disp_button == "!20"; }},
      {"panel", "sw_on", "\"SW_ON\"", [](auto& c) { return c.panel.sw_on == "SW_ON"; }},
      {"panel", "hw_chg", "\"HW_CHG\"", [](auto& c) { return c.panel.hw_chg == "HW_CHG"; }},
      {"panel", "hw_dis", "\"HW_DIS\"", [](auto& c) { return c.panel.hw_dis == "HW_DIS"; }},
      {"panel", "hw_ov", "\"HW_OV\"", [](auto& c) { return c.panel.hw_ov == "HW_OV"; }},
      {"panel", "debounce_ms", "50", [](auto& c) { return c.panel.debounce_ms == 50; }},
      {"history", "path", "\"/tmp/h.db\"", [](auto& c) { return c.history.path == "/tmp/h.db"; }},
      {"history", "max_events", "500", [](auto& c) { return c.history.max_events == 500; }},
      {"host.can", "enabled", "true", [](auto& c) { return c.host_can.enabled; }},
      {"host.can", "transport", "\"slcan\"",
       [](auto& c) { return c.host_can.transport == "slcan"; }},
      {"host.can", "interface", "\"can7\"", [](auto& c) { return c.host_can.interface == "can7"; }},
      {"host.can", "device", "\"/dev/ttyX\"",
       [](auto& c) { return c.host_can.device == "/dev/ttyX"; }},
      {"host.can", "baud", "9600", [](auto& c) { return c.host_can.baud == 9600; }},
      {"host.can", "period_ms", "250", [](auto& c) { return c.host_can.period_ms == 250; }},
      {"host.can", "manufacturer_name", "\"SONY\"",
       [](auto& c) { return c.host_can.manufacturer_name == "SONY"; }},
      {"host.can", "victron_frames", "true", [](auto& c) { return c.host_can.victron_frames; }},
      {"host.can", "require_keepalive", "true",
       [](auto& c) { return c.host_can.require_keepalive; }},
      {"host.modbus", "enabled", "true", [](auto& c) { return c.host_modbus.enabled; }},
      {"host.modbus", "device", "\"/dev/ttyS4\"",
       [](auto& c) { return c.host_modbus.device == "/dev/ttyS4"; }},
      {"host.modbus", "baud", "9600", [](auto& c) { return c.host_modbus.baud == 9600; }},
      {"host.modbus", "parity", "\"even\"", [](auto& c) { return c.host_modbus.parity == "even"; }},
      {"host.modbus", "unit", "17", [](auto& c) { return c.host_modbus.unit == 17; }},
      {"host.modbus", "allow_writes", "true", [](auto& c) { return c.host_modbus.allow_writes; }},
      {"host.modbus", "manufacturer", "\"Murata\"",
       [](auto& c) { return c.host_modbus.manufacturer == "Murata"; }},
      {"host.modbus", "serial", "\"SN-1\"", [](auto& c) { return c.host_modbus.serial == "SN-1"; }},
      {"limits", "charge_voltage_per_module", "57.0",
       [](auto& c) { return c.limits.charge_voltage_per_module == 57.0; }},
      {"limits", "discharge_voltage_per_module", "40",
       [](auto& c) { return c.limits.discharge_voltage_per_module == 40.0; }},
      {"limits", "charge_current_per_module", "12.5",
       [](auto& c) { return c.limits.charge_current_per_module == 12.5; }},
      {"limits", "discharge_current_per_module", "30",
       [](auto& c) { return c.limits.discharge_current_per_module == 30.0; }},
      {"limits", "heatsink_trip_c", "90", [](auto& c) { return c.limits.heatsink_trip_c == 90.0; }},
      {"limits", "heatsink_clear_c", "70",
       [](auto& c) { return c.limits.heatsink_clear_c == 70.0; }},
      {"limits", "heatsink_sensor", "\"/sys/class/hwmon/hwmon0/temp1_input\"",
       [](auto& c) { return c.limits.heatsink_sensor == "/sys/class/hwmon/hwmon0/temp1_input"; }},
      {"limits", "overcurrent_instant_pct", "150",
       [](auto& c) { return c.limits.overcurrent_instant_pct == 150.0; }},
      {"limits", "overcurrent_rounds", "5",
       [](auto& c) { return c.limits.overcurrent_rounds == 5; }},
      {"limits", "overcurrent_holdoff_s", "30",
       [](auto& c) { return c.limits.overcurrent_holdoff_s == 30; }},
      {"limits", "auto_shutdown_s", "120", [](auto& c) { return c.limits.auto_shutdown_s == 120; }},
      {"limits", "comm_timeout_ms", "1000",
       [](auto& c) { return c.limits.comm_timeout_ms == 1000; }},
      {"sim", "scenario", "\"/tmp/s.txt\"", [](auto& c) { return c.sim.scenario == "/tmp/s.txt"; }},
      {"sim", "ambient_c", "-5.5", [](auto& c) { return c.sim.ambient_c == -5.5; }},
      {"sim", "initial_soc_pct", "100", [](auto& c) { return c.sim.initial_soc_pct == 100.0; }},
      {"sim", "seed", "4294967295", [](auto& c) { return c.sim.seed == 4294967295u; }},
  };
  return k;
}

TEST(ConfigKeys, EveryKeyReachesItsField) {
  for (const auto& k : key_cases()) {
    const std::string text =
        "[" + std::string(k.section) + "]\n" + k.context + k.key + " = " + k.value + "\n";
    auto r = parse_ok_groups(text);
    ASSERT_TRUE(r.ok()) << text << all_errors(r);
    EXPECT_TRUE(k.applied(*r.config)) << text;
    EXPECT_FALSE(k.applied(Config{})) << "value is the default, test proves nothing: " << text;
  }
}

TEST(ConfigKeys, TestListCoversTheKeyTable) {
  std::set<std::string> tested;
  for (const auto& k : key_cases()) tested.insert(std::string(k.section) + "." + k.key);
  for (const auto& d : detail::key_table())
    EXPECT_TRUE(tested.count(d.full_name())) << d.full_name();
  EXPECT_EQ(tested.size(), detail::key_table().size());
}

TEST(ConfigKeys, EmptyFileIsAllDefaults) {
  auto r = parse_ok_groups("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config->limits.auto_shutdown_s, 60);
  EXPECT_FALSE(r.config->api.group_explicit);
  EXPECT_FALSE(r.config->api.admin_group_explicit);
}

TEST(ConfigDefaultText, ParsesBackToDefaults) {
  const auto text = default_config_text();
  auto r = parse_ok_groups(text);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const Config d;
  for (const auto& k : detail::key_table()) {
    switch (k.kind) {
      case detail::Kind::integer:
        EXPECT_EQ(k.get_int(*r.config), k.get_int(d)) << k.full_name();
        break;
      case detail::Kind::number:
        EXPECT_EQ(k.get_num(*r.config), k.get_num(d)) << k.full_name();
        break;
      case detail::Kind::boolean:
        EXPECT_EQ(k.get_bool(*r.config), k.get_bool(d)) << k.full_name();
        break;
      case detail::Kind::string:
        EXPECT_EQ(k.get_str(*r.config), k.get_str(d)) << k.full_name();
        break;
    }
  }
  // The text restates the default group names: still defaults (warnings only).
  EXPECT_FALSE(r.config->api.group_explicit);
  EXPECT_FALSE(r.config->api.admin_group_explicit);
}

TEST(ConfigDefaultText, WritesEveryKeyAndSpecComments) {
  const auto text = default_config_text();
  for (const auto& k : detail::key_table()) {
    const std::string header = "[" + std::string(k.section) + "]\n";
    const auto sec = text.find(header);
    ASSERT_NE(sec, std::string::npos) << header;
    EXPECT_NE(text.find("\n" + std::string(k.name) + " = ", sec), std::string::npos)
        << k.full_name();
  }
  EXPECT_NE(text.find("# [56.8, 58.4] V"), std::string::npos);
  EXPECT_NE(text.find("0x35E, up to 8 characters"), std::string::npos);
}

TEST(ConfigDefaultText, RepositoryFileIsTheDefaultText) {
  std::ifstream in(std::string(ESSD_SOURCE_DIR) + "/config/essd.toml");
  ASSERT_TRUE(in) << "config/essd.toml missing";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), default_config_text())
      << "regenerate: cmake --build build --target essd_default_config";
}

TEST(ConfigLoadFile, MissingFileIsAnError) {
  auto r = load_file("/nonexistent/essd.toml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 0);
  EXPECT_EQ(r.errors[0].format().rfind("/nonexistent/essd.toml:0: cannot open", 0), 0u)
      << r.errors[0].format();
}

TEST(ConfigLoadFile, DirectoryIsAnError) {
  auto r = load_file("/tmp");
  EXPECT_FALSE(r.ok());
}

TEST(ConfigLoadFile, RepositoryFileLoads) {
  auto r = load_file(std::string(ESSD_SOURCE_DIR) + "/config/essd.toml", test::groups_exist());
  EXPECT_TRUE(r.ok()) << all_errors(r);
}

}  // namespace
}  // namespace essd::config
