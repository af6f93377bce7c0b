// SPDX-License-Identifier: MIT
// JSON mapping: docs/api.md's field names and value conventions.
#include <gtest/gtest.h>

#include "api/json_mapping.hpp"

namespace essd::api {
namespace {

using nlohmann::json;

SystemSnapshot example() {
  SystemSnapshot s;
  s.model = Model::ij1001c;
  s.topology = Topology::parallel;
  s.voltage_v = 53.2;
  s.current_a = -48.0;
  s.rsoc_pct = 80.0;
  s.rsoc_known = true;
  s.charge = {true, {}};
  s.discharge = {false, {"module_dis_line:2", "overcurrent"}};
  s.errors.push_back({"comm_error", "COMM ERROR", 4'000});
  s.limits = {57.6, 48.0, 0.0, 32.0};
  s.heatsink_c = 41.5;
  s.modules_connected = 2;
  s.con_map = "--------------OO";
  return s;
}

TEST(JsonMapping, StatusFieldsAsInApiMd) {
  // time_ref: mono 10 s = 2025-11-25T18:00:00Z; the error started 6 s before.
  TimeRef t{10'000, 1'764'093'600'000};
  json j = status_json(example(), t, 3600);
  for (const char* k : {"model", "topology", "mode", "voltage_v", "current_a", "rsoc_pct", "charge",
                        "discharge", "errors", "limits", "heatsink_c", "modules_connected",
                        "modules_lost", "con_map", "version", "uptime_s"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["model"], "IJ1001C");
  EXPECT_EQ(j["topology"], "parallel");
  EXPECT_EQ(j["mode"], "normal");
  EXPECT_DOUBLE_EQ(j["voltage_v"].get<double>(), 53.2);
  EXPECT_DOUBLE_EQ(j["current_a"].get<double>(), -48.0);
  EXPECT_EQ(j["charge"], json::parse(R"({"closed":true,"blocked_by":[]})"));
  EXPECT_EQ(j["discharge"]["blocked_by"], json::parse(R"(["module_dis_line:2","overcurrent"])"));
  EXPECT_EQ(j["errors"][0]["code"], "comm_error");
  EXPECT_EQ(j["errors"][0]["text"], "COMM ERROR");
  EXPECT_EQ(j["errors"][0]["since"], "2025-11-25T17:59:54Z");
  EXPECT_DOUBLE_EQ(j["limits"]["cvl_v"].get<double>(), 57.6);
  EXPECT_DOUBLE_EQ(j["limits"]["ccl_a"].get<double>(), 48.0);
  EXPECT_DOUBLE_EQ(j["limits"]["dcl_a"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["limits"]["dvl_v"].get<double>(), 32.0);
  EXPECT_DOUBLE_EQ(j["heatsink_c"].get<double>(), 41.5);
  EXPECT_EQ(j["con_map"], "--------------OO");
  EXPECT_EQ(j["uptime_s"], 3600);
  EXPECT_EQ(j["version"], "0.1.0");
}

TEST(JsonMapping, UnknownValuesAreNull) {
  SystemSnapshot s;
  s.rsoc_known = false;
  json j = status_json(s, TimeRef{}, 0);
  EXPECT_TRUE(j["rsoc_pct"].is_null());
  EXPECT_TRUE(j["heatsink_c"].is_null());
}

TEST(JsonMapping, ModesAndTopologies) {
  SystemSnapshot s;
  s.mode = SystemMode::maintenance;
  s.model = Model::ij4001c;
  s.topology = Topology::series_parallel;
  json j = status_json(s, TimeRef{}, 0);
  EXPECT_EQ(j["mode"], "maintenance");
  EXPECT_EQ(j["topology"], "series-parallel");
  EXPECT_EQ(j["model"], "IJ4001C");
}

TEST(JsonMapping, ModuleEntry) {
  ModuleSnapshot m;
  m.address = 3;
  m.link = Link::connected;
  m.seen = true;
  m.stale = false;
  m.age_ms = 42;
  m.status = bus::Status{3, 5320, -240, 80, 5, 3, true, true, true, 0};
  m.alarms = bus::Alarms{3, 0x1800, 250, 24, 27, 1337};
  m.info = bus::Info{3, 0x0102, 240, 231, 16, 17};
  m.cells_mv.fill(3325);
  m.cells_mv[15] = 0;
  m.cell_temps_c = {25, 26, bus::kNoSensor};
  m.invalid[static_cast<int>(bus::DecodeError::bad_mux)] = 4;
  json j = module_json(m);
  EXPECT_EQ(j["address"], 3);
  EXPECT_EQ(j["link"], "connected");
  EXPECT_EQ(j["stale"], false);
  EXPECT_EQ(j["age_ms"], 42);
  EXPECT_DOUBLE_EQ(j["voltage_v"].get<double>(), 53.2);
  EXPECT_DOUBLE_EQ(j["current_a"].get<double>(), -24.0);
  EXPECT_EQ(j["rsoc_pct"], 80);
  EXPECT_EQ(j["state"], 5);
  EXPECT_EQ(j["prev_state"], 3);
  EXPECT_EQ(j["chg"], true);
  EXPECT_EQ(j["dis"], true);
  EXPECT_EQ(j["ov"], true);
  EXPECT_EQ(j["alarms"], 6144);
  EXPECT_DOUBLE_EQ(j["temp_avg_c"].get<double>(), 25.0);
  EXPECT_EQ(j["temp_min_c"], 24);
  EXPECT_EQ(j["temp_max_c"], 27);
  EXPECT_EQ(j["cycles"], 1337);
  EXPECT_EQ(j["firmware"], "0102");
  EXPECT_DOUBLE_EQ(j["nominal_ah"].get<double>(), 24.0);
  EXPECT_DOUBLE_EQ(j["full_ah"].get<double>(), 23.1);
  EXPECT_EQ(j["serial_byte"], 17);
  ASSERT_EQ(j["cells_mv"].size(), 16u);
  EXPECT_EQ(j["cells_mv"][0], 3325);
  EXPECT_TRUE(j["cells_mv"][15].is_null());
  EXPECT_EQ(j["cell_temps_c"], json::parse("[25,26,null]"));
  EXPECT_EQ(
      j["invalid_frames"],
      json::parse(
          R"({"bad_length":0,"bad_version":0,"out_of_range":0,"bad_mux":4,"reserved_bits":0})"));
  EXPECT_TRUE(j.contains("state_text"));
  EXPECT_TRUE(j.contains("alarm_text"));
}

TEST(JsonMapping, LostModuleKeepsValuesMarkedStale) {
  ModuleSnapshot m;
  m.address = 1;
  m.link = Link::lost;
  m.seen = true;
  m.stale = true;
  m.age_ms = 900;
  m.status = bus::Status{1, 5100, 0, 50, 0, 0, true, true, true, 0};
  json j = module_json(m);
  EXPECT_EQ(j["link"], "lost");
  EXPECT_EQ(j["stale"], true);
  EXPECT_DOUBLE_EQ(j["voltage_v"].get<double>(), 51.0);
  EXPECT_TRUE(j["alarms"].is_null());
  EXPECT_TRUE(j["firmware"].is_null());
}

TEST(JsonMapping, Display) {
  PanelView v;
  v.lines = {"COMM ERROR          ", "CON=------------OOOX", "Check comm cables   ",
             "                    "};
  v.item = "status";
  v.module = 2;
  v.error_screen = "comm_error";
  v.led = LedMode::red_flash;
  v.chg_lamp = false;
  v.dis_lamp = true;
  json j = display_json(v);
  EXPECT_EQ(j["lines"].size(), 4u);
  EXPECT_EQ(j["lines"][1], "CON=------------OOOX");
  EXPECT_EQ(j["item"], "status");
  EXPECT_EQ(j["module"], 2);
  EXPECT_EQ(j["led"], "red_flash");
  EXPECT_EQ(j["chg_lamp"], false);
  EXPECT_EQ(j["dis_lamp"], true);
  EXPECT_EQ(j["error_screen"], "comm_error");
}

TEST(JsonMapping, EventAndData) {
  Event e;
  e.module = 2;
  e.cause = "module_dis_line:2";
  e.path = "discharge";
  auto d = event_data(e);
  EXPECT_EQ(d, json::parse(R"({"module":2,"cause":"module_dis_line:2","path":"discharge"})"));
  EXPECT_EQ(event_data(Event{}), json::object());
  EventRecord r{5, "2026-11-25T18:00:00.123Z", Severity::warning, "path_open", "m", d};
  json j = event_json(r);
  EXPECT_EQ(j["seq"], 5);
  EXPECT_EQ(j["time"], "2026-11-25T18:00:00.123Z");
  EXPECT_EQ(j["severity"], "warning");
  EXPECT_EQ(j["kind"], "path_open");
  EXPECT_EQ(j["data"]["module"], 2);
}

TEST(JsonMapping, Rfc3339) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(1'764'093'600'999), "2025-11-25T18:00:00Z");
}

}  // namespace
}  // namespace essd::api
