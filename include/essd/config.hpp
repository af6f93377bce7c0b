// SPDX-License-Identifier: MIT
#pragma once
// The daemon's configuration as a typed struct (docs/configuration.md).
// Parsing and validation live in src/config; every other part receives the
// sub-struct it needs. Defaults here are the documented defaults.
#include <cstdint>
#include <string>

#include "essd/model.hpp"

namespace essd {

struct SystemConfig {
  Model model = Model::ij1001c;
  Topology topology = Topology::parallel;
  int modules = 0;  // expected module count; 0 = accept any valid count
  std::string state_file = "/var/lib/essd/latches.state";  // persisted OV/DISCHARGE latches
};

struct BusConfig {
  std::string transport = "socketcan";  // socketcan | slcan
  std::string interface = "can0";
  std::string device = "/dev/ttyACM0";
  int baud = 115200;
  int bitrate = 500000;    // set with libsocketcan when permitted; 0 = leave as is
  int restart_ms = 100;    // bus-off auto restart (libsocketcan); 0 = leave as is
  std::string record;      // candump-format log of every frame; "" = off
  int record_max_mb = 64;  // [1, 4096] rotated by size, the newest kept
};

struct ApiConfig {
  std::string socket = "/run/essd/essd.sock";
  std::string group = "essd";
  std::string admin_group = "essd-admin";
  int max_clients = 64;
  int max_clients_per_uid = 16;       // peers other than root and the admin group
  int idle_timeout_s = 300;           // a session that neither watches nor asks; 0 = never
  bool group_explicit = false;        // set by the parser: written in the file
  bool admin_group_explicit = false;  // (a missing default group is only a warning)
};

/// A GPIO line: "" (not used), "gpiochip0:17" (chip and offset), "17" on
/// chip gpiochip0, or a line name "CHG_PATH"; a leading '!' means active-low.
struct PanelConfig {
  std::string lcd = "terminal";  // none | terminal | hd44780-i2c
  std::string i2c_bus = "/dev/i2c-1";
  int i2c_address = 0x27;
  std::string led_red, led_green, chg_lamp, dis_lamp;     // outputs
  std::string charge_path, discharge_path, power_hold;    // outputs
  std::string disp_button, sw_on, hw_chg, hw_dis, hw_ov;  // inputs
  int debounce_ms = 30;
};

struct HistoryConfig {
  std::string path = "/var/lib/essd/events.db";
  int max_events = 100000;  // oldest rows trimmed beyond this
};

struct HostCanConfig {
  bool enabled = false;
  std::string transport = "socketcan";
  std::string interface = "can1";
  std::string device = "/dev/ttyACM1";
  int baud = 115200;
  int period_ms = 1000;                     // [200, 5000]
  std::string manufacturer_name = "PYLON";  // up to 8 characters
  bool victron_frames = false;
  bool require_keepalive = false;
};

struct HostModbusConfig {
  bool enabled = false;
  std::string device = "/dev/ttyS1";
  int baud = 19200;             // [9600, 115200]
  std::string parity = "none";  // none | even | odd
  int unit = 1;                 // [1, 247]
  bool allow_writes = false;
  std::string manufacturer = "Sony";
  std::string serial;
};

struct LimitsConfig {
  double charge_voltage_per_module = 57.6;     // [56.8, 58.4] V
  double discharge_voltage_per_module = 32.0;  // [30.0, 48.0] V
  double charge_current_per_module = 24.0;     // [0, 24] A
  double discharge_current_per_module = 50.0;  // [0, 50] A
  double heatsink_trip_c = 85;                 // [60, 100]
  double heatsink_clear_c = 75;                // [40, heatsink_trip_c - 5]
  std::string heatsink_sensor;                 // file in millidegrees; "" = none
  double overcurrent_instant_pct = 110;        // [100, 200]
  int overcurrent_rounds = 3;                  // [1, 20]
  int overcurrent_holdoff_s = 10;              // [1, 600]
  int auto_shutdown_s = 60;                    // [10, 3600]
  int comm_timeout_ms = 500;                   // [200, 5000]
};

struct SimConfig {
  std::string scenario;  // scenario file for --sim; "" = normal operation
  double ambient_c = 25.0;
  double initial_soc_pct = 60.0;
  std::uint32_t seed = 1;
};

struct Config {
  SystemConfig system;
  BusConfig bus;
  ApiConfig api;
  PanelConfig panel;
  HistoryConfig history;
  HostCanConfig host_can;
  HostModbusConfig host_modbus;
  LimitsConfig limits;
  SimConfig sim;
};

}  // namespace essd
