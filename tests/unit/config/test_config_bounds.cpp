// SPDX-License-Identifier: MIT
// Every bound from docs/configuration.md (and our additions): accepted at the bound,
// rejected just past it, with the key's line in the error.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace essd::config {
namespace {

using test::all_errors;
using test::parse_ok_groups;

struct Bound {
  const char* section;
  const char* key;
  const char* at_lo;
  const char* below_lo;
  const char* at_hi;
  const char* above_hi;
  const char* context = "";  // lines that make the bound values valid otherwise
};

// Written from the spec, not from the key table, so that a wrong bound in the
// table fails here.
const Bound kBounds[] = {
    {"limits", "charge_voltage_per_module", "56.8", "56.79", "58.4", "58.41"},
    {"limits", "discharge_voltage_per_module", "30.0", "29.99", "48.0", "48.01"},
    {"limits", "charge_current_per_module", "0", "-0.01", "24", "24.01"},
    {"limits", "discharge_current_per_module", "0", "-0.01", "50", "50.01"},
    {"limits", "heatsink_trip_c", "60", "59.9", "100", "100.1", "heatsink_clear_c = 40\n"},
    {"limits", "overcurrent_instant_pct", "100", "99.9", "200", "200.1"},
    {"limits", "overcurrent_rounds", "1", "0", "20", "21"},
    {"limits", "overcurrent_holdoff_s", "1", "0", "600", "601"},
    {"limits", "auto_shutdown_s", "10", "9", "3600", "3601"},
    {"limits", "comm_timeout_ms", "200", "199", "5000", "5001"},
    {"host.can", "period_ms", "200", "199", "5000", "5001"},
    {"host.modbus", "baud", "9600", "4800", "115200", "230400"},
    {"host.modbus", "unit", "1", "0", "247", "248"},
    {"api", "max_clients", "1", "0", "1024", "1025"},
    {"panel", "i2c_address", "0x03", "0x02", "0x77", "0x78"},
    {"panel", "debounce_ms", "0", "-1", "1000", "1001"},
    {"history", "max_events", "100", "99", "10000000", "10000001"},
    {"bus", "restart_ms", "0", "-1", "60000", "60001"},
    {"bus", "record_max_mb", "1", "0", "4096", "4097"},
    {"bus", "bitrate", "0", "-1", "1000000", "1000001"},
    {"sim", "ambient_c", "-40", "-40.1", "85", "85.1"},
    {"sim", "initial_soc_pct", "0", "-0.1", "100", "100.1"},
    {"sim", "seed", "0", "-1", "4294967295", "4294967296"},
    {"system", "modules", "1", "-1", "16", "17"},
};

std::string doc(const Bound& b, const char* value) {
  // Two filler lines so that the key sits on line 4 (or later with context).
  return std::string("# test\n\n[") + b.section + "]\n" + b.key + " = " + value + "\n" + b.context;
}

TEST(ConfigBounds, AcceptedAtEachBound) {
  for (const auto& b : kBounds) {
    for (const char* v : {b.at_lo, b.at_hi}) {
      auto r = parse_ok_groups(doc(b, v));
      EXPECT_TRUE(r.ok()) << b.section << "." << b.key << " = " << v << "\n" << all_errors(r);
    }
  }
}

TEST(ConfigBounds, RejectedJustPastEachBoundWithLine) {
  for (const auto& b : kBounds) {
    for (const char* v : {b.below_lo, b.above_hi}) {
      auto r = parse_ok_groups(doc(b, v));
      ASSERT_FALSE(r.ok()) << b.section << "." << b.key << " = " << v;
      ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
      EXPECT_EQ(r.errors[0].line, 4) << all_errors(r);
      EXPECT_NE(r.errors[0].reason.find(b.key), std::string::npos) << all_errors(r);
    }
  }
}

TEST(ConfigBounds, NanIsRejected) {
  auto r = parse_ok_groups("[limits]\nheatsink_trip_c = nan\n");
  EXPECT_FALSE(r.ok());
}

TEST(ConfigBounds, HeatsinkClearAtMostTripMinusFive) {
  EXPECT_TRUE(parse_ok_groups("[limits]\nheatsink_trip_c = 85\nheatsink_clear_c = 80\n").ok());
  EXPECT_TRUE(parse_ok_groups("[limits]\nheatsink_clear_c = 40\n").ok());
  auto r = parse_ok_groups("[limits]\nheatsink_trip_c = 85\nheatsink_clear_c = 80.1\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_NE(r.errors[0].reason.find("heatsink_trip_c - 5"), std::string::npos);
  // Lowering only the trip point drags the default clear point out of range.
  r = parse_ok_groups("[limits]\nheatsink_trip_c = 70\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_FALSE(parse_ok_groups("[limits]\nheatsink_clear_c = 39.9\n").ok());
}

TEST(ConfigBounds, ModelTopologyCombinations) {
  auto ok = [](const char* m, const char* t) {
    return parse_ok_groups(std::string("[system]\nmodel = \"") + m + "\"\ntopology = \"" + t +
                           "\"\n")
        .ok();
  };
  EXPECT_TRUE(ok("IJ1001C", "parallel"));
  EXPECT_TRUE(ok("IJ1002C", "parallel"));
  EXPECT_TRUE(ok("IJ4001C", "series"));
  EXPECT_TRUE(ok("IJ4001C", "series-parallel"));
  EXPECT_FALSE(ok("IJ1001C", "series"));
  EXPECT_FALSE(ok("IJ1002C", "series-parallel"));
  EXPECT_FALSE(ok("IJ4001C", "parallel"));
  auto r = parse_ok_groups("[system]\nmodel = \"IJ4001C\"\n");  // default topology is parallel
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
}

TEST(ConfigBounds, ModulesWithinModelBounds) {
  auto mods = [](const char* m, const char* t, int n) {
    return parse_ok_groups(std::string("[system]\nmodel = \"") + m + "\"\ntopology = \"" + t +
                           "\"\nmodules = " + std::to_string(n) + "\n");
  };
  EXPECT_TRUE(mods("IJ4001C", "series", 0).ok());
  EXPECT_TRUE(mods("IJ4001C", "series", 2).ok());
  EXPECT_TRUE(mods("IJ4001C", "series", 7).ok());
  EXPECT_FALSE(mods("IJ4001C", "series", 1).ok());
  auto r = mods("IJ4001C", "series", 8);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_TRUE(mods("IJ4001C", "series-parallel", 4).ok());
  EXPECT_TRUE(mods("IJ4001C", "series-parallel", 14).ok());
  EXPECT_FALSE(mods("IJ4001C", "series-parallel", 3).ok());
  EXPECT_FALSE(mods("IJ4001C", "series-parallel", 16).ok());
  EXPECT_FALSE(mods("IJ4001C", "series-parallel", 5).ok());  // incomplete pair
  EXPECT_TRUE(mods("IJ1002C", "parallel", 16).ok());
}

TEST(ConfigBounds, Enums) {
  EXPECT_FALSE(parse_ok_groups("[system]\nmodel = \"IJ1003C\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[system]\ntopology = \"Parallel\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[bus]\ntransport = \"can\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[host.can]\ntransport = \"tcp\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[panel]\nlcd = \"oled\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[host.modbus]\nparity = \"mark\"\n").ok());
  for (const char* p : {"none", "even", "odd"})
    EXPECT_TRUE(parse_ok_groups(std::string("[host.modbus]\nparity = \"") + p + "\"\n").ok());
  for (const char* l : {"none", "terminal", "hd44780-i2c"})
    EXPECT_TRUE(parse_ok_groups(std::string("[panel]\nlcd = \"") + l + "\"\n").ok());
}

TEST(ConfigBounds, ManufacturerName) {
  EXPECT_TRUE(parse_ok_groups("[host.can]\nmanufacturer_name = \"ABCDEFGH\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[host.can]\nmanufacturer_name = \"ABCDEFGHI\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[host.can]\nmanufacturer_name = \"\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[host.can]\nmanufacturer_name = \"P\xc3\xa9\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[host.can]\nmanufacturer_name = \"A\\tB\"\n").ok());
}

TEST(ConfigBounds, SerialSpeeds) {
  EXPECT_TRUE(parse_ok_groups("[bus]\nbaud = 921600\n").ok());
  EXPECT_FALSE(parse_ok_groups("[bus]\nbaud = 115201\n").ok());
  EXPECT_FALSE(parse_ok_groups("[host.modbus]\nbaud = 10000\n").ok());  // in range, not a rate
  EXPECT_FALSE(parse_ok_groups("[bus]\nbitrate = 499999\n").ok());
}

TEST(ConfigBounds, GpioLineSyntax) {
  for (const char* good : {"", "17", "!17", "gpiochip0:17", "!gpiochip2:0", "CHG_PATH",
                           "!relay-1.a", "/dev/gpiochip1:3", "pinctrl-rp1:23", "1023"})
    EXPECT_TRUE(valid_gpio_spec(good)) << good;
  for (const char* bad : {"!", "gpiochip0:", ":17", "gpiochip0:x", "1024", "a b", "!!17",
                          "gpiochip0:17:1x", "chg path", "gpiochip0:-1"})
    EXPECT_FALSE(valid_gpio_spec(bad)) << bad;
  auto r = parse_ok_groups("[panel]\n\ncharge_path = \"gpiochip0:\"\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
}

TEST(ConfigBounds, OneGpioLineOneRole) {
  auto r = parse_ok_groups("[panel]\ncharge_path = \"17\"\ndischarge_path = \"!gpiochip0:17\"\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_TRUE(parse_ok_groups("[panel]\ncharge_path = \"17\"\ndischarge_path = \"18\"\n").ok());
}

TEST(ConfigBounds, HostLinkMustNotShareTheModuleBus) {
  EXPECT_FALSE(parse_ok_groups("[host.can]\nenabled = true\ninterface = \"can0\"\n").ok());
  EXPECT_TRUE(parse_ok_groups("[host.can]\nenabled = false\ninterface = \"can0\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[bus]\ntransport = \"slcan\"\ndevice = \"/dev/ttyS1\"\n"
                               "[host.modbus]\nenabled = true\n")
                   .ok());
}

TEST(ConfigBounds, Paths) {
  EXPECT_FALSE(parse_ok_groups("[history]\npath = \"events.db\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[api]\nsocket = \"\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[api]\nsocket = \"/" + std::string(120, 'a') + "\"\n").ok());
  EXPECT_TRUE(parse_ok_groups("[limits]\nheatsink_sensor = \"\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[limits]\nheatsink_sensor = \"temp1_input\"\n").ok());
  EXPECT_FALSE(parse_ok_groups("[bus]\ninterface = \"averyveryverylongname\"\n").ok());
}

}  // namespace
}  // namespace essd::config
