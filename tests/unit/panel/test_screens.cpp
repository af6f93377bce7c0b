// SPDX-License-Identifier: MIT
// Golden screens: every item, every error screen, clamping and unknown values
// (docs/panel.md "Display", "Error screens").
#include <gtest/gtest.h>

#include <cstdio>

#include "essd/version.hpp"
#include "panel/screens.hpp"
#include "snapshot_builder.hpp"

namespace essd::panel {
namespace {

using test::alarms;
using test::connect;
using test::expect_screen;
using test::healthy;
using test::status;

constexpr std::string_view kBlank = "                    |";

TEST(PanelScreens, OverallNormal) {
  expect_screen(item_lines(Item::overall, healthy(), 0),
                {"Overall             |", "MODE=DIS   RSOC= 80%|", "I= -24.0A           |",
                 "V= 53.2V            |"});
}

TEST(PanelScreens, OverallModeField) {
  auto s = healthy();
  s.current_a = 0.1;
  EXPECT_EQ(item_lines(Item::overall, s, 0)[1], "MODE=CHG   RSOC= 80%");
  s.current_a = 0.0;  // not positive: DIS
  EXPECT_EQ(item_lines(Item::overall, s, 0)[1], "MODE=DIS   RSOC= 80%");
  s.current_a = 5.0;
  s.off_mode = true;  // OFF wins over the current's direction
  EXPECT_EQ(item_lines(Item::overall, s, 0)[1], "MODE=OFF   RSOC= 80%");
  EXPECT_EQ(item_lines(Item::overall, s, 0)[2], "I=  +5.0A           ");
}

TEST(PanelScreens, OverallClamping) {
  auto s = healthy();
  s.rsoc_pct = 104;
  s.current_a = -1234.5;
  s.voltage_v = 1000.2;
  expect_screen(item_lines(Item::overall, s, 0),
                {"Overall             |", "MODE=DIS   RSOC=100*|", "I=-999.9A          *|",
                 "V=999.9V           *|"});
  s.rsoc_pct = -3;
  s.current_a = 1000;
  s.voltage_v = -0.5;
  expect_screen(item_lines(Item::overall, s, 0),
                {"Overall             |", "MODE=CHG   RSOC=  0*|", "I=+999.9A          *|",
                 "V=  0.0V           *|"});
  // The extremes themselves are in range: no marker.
  s.rsoc_pct = 100;
  s.current_a = -999.9;
  s.voltage_v = 999.9;
  expect_screen(item_lines(Item::overall, s, 0),
                {"Overall             |", "MODE=DIS   RSOC=100%|", "I=-999.9A           |",
                 "V=999.9V            |"});
}

TEST(PanelScreens, OverallUnknownValues) {
  SystemSnapshot none;  // nothing connected
  expect_screen(item_lines(Item::overall, none, 0),
                {"Overall             |", "MODE=DIS   RSOC= --%|", "I=    --A           |",
                 "V=   --V            |"});
  auto s = healthy();
  s.rsoc_known = false;
  EXPECT_EQ(item_lines(Item::overall, s, 0)[1], "MODE=DIS   RSOC= --%");
}

TEST(PanelScreens, Connection) {
  char ver[32];
  std::snprintf(ver, sizeof ver, "UNIT=04    VER=%04X |", controller_version_code());
  expect_screen(item_lines(Item::connection, healthy(), 0),
                {"Connection          |", ver, "CON=------------OOOO|", std::string(kBlank)});
}

TEST(PanelScreens, VersionCode) {
  unsigned major = 0, minor = 0, patch = 0;
  ASSERT_EQ(std::sscanf(std::string(kVersion).c_str(), "%u.%u.%u", &major, &minor, &patch), 3);
  EXPECT_EQ(controller_version_code(), (major << 8) | (minor << 4) | patch);
}

TEST(PanelScreens, ConnectionWithCommError) {
  auto s = healthy();
  test::lose(s, 0);
  auto l = item_lines(Item::connection, s, 0);
  EXPECT_EQ(l[1].substr(0, 7), "UNIT=03");
  EXPECT_EQ(l[2], "CON=------------OOOX");
}

TEST(PanelScreens, Status) {
  expect_screen(item_lines(Item::status, healthy(), 0),
                {"Status              |", "M_NO=00             |", "STAT=53             |",
                 "[Normal Dis]        |"});
}

TEST(PanelScreens, StatusTextsAndNone) {
  auto s = healthy();
  s.modules[2].status->state = 0xE;
  s.modules[2].status->prev_state = 0xA;
  auto l = item_lines(Item::status, s, 2);
  EXPECT_EQ(l[2], "STAT=EA             ");
  EXPECT_EQ(l[3], "[Chg Suspend]       ");
  for (std::uint8_t st : {0, 8, 15}) {  // no text: no brackets
    s.modules[2].status->state = st;
    EXPECT_EQ(item_lines(Item::status, s, 2)[3], std::string(20, ' ')) << int(st);
  }
}

TEST(PanelScreens, ModeCurrentSocVoltage) {
  auto s = healthy();
  s.modules[3].status = status(5750, 123, 100, 3, 2);
  s.modules[3].status->address = 3;
  expect_screen(item_lines(Item::module, s, 3), {"Mode,Current,SOC,V  |", "M_NO=03   RSOC=100% |",
                                                 "I= +12.3A           |", "V= 57.5V            |"});
  s.modules[3].status->current_100ma = -20000;  // -2000.0 A
  s.modules[3].status->rsoc = bus::kRsocUnknown;
  expect_screen(item_lines(Item::module, s, 3), {"Mode,Current,SOC,V  |", "M_NO=03   RSOC= --% |",
                                                 "I=-999.9A          *|", "V= 57.5V            |"});
}

TEST(PanelScreens, CellTempCycle) {
  expect_screen(item_lines(Item::cell, healthy(), 1),
                {"Cell Temp,Cycle     |", "M_NO=01   CYCL=0013 |", "T=+26.2C            |",
                 std::string(kBlank)});
  auto s = healthy();
  s.modules[1].alarms->cycles = 12345;
  s.modules[1].alarms->temp_avg_decic = -1200;
  expect_screen(item_lines(Item::cell, s, 1), {"Cell Temp,Cycle     |", "M_NO=01   CYCL=9999*|",
                                               "T=-99.9C           *|", std::string(kBlank)});
  s.modules[1].alarms->temp_avg_decic = 1000;
  EXPECT_EQ(item_lines(Item::cell, s, 1)[2], "T=+99.9C           *");
  s.modules[1].alarms->temp_avg_decic = -5;
  EXPECT_EQ(item_lines(Item::cell, s, 1)[2], "T= -0.5C            ");
}

TEST(PanelScreens, AlarmBits) {
  // Over Curr and Over Temp: the higher bit names it (the manual's example).
  expect_screen(item_lines(Item::alarm, healthy(), 1),
                {"Alarm bits          |", "M_NO=01             |", "ALRM=1800           |",
                 "[Over Curr]         |"});
  auto s = healthy();
  EXPECT_EQ(item_lines(Item::alarm, s, 0)[2], "ALRM=0000           ");
  EXPECT_EQ(item_lines(Item::alarm, s, 0)[3], std::string(20, ' '));
  s.modules[0].alarms->bits = 0x0600;
  EXPECT_EQ(item_lines(Item::alarm, s, 0)[3], "[0]                 ");
  s.modules[0].alarms->bits = 0xC100;
  EXPECT_EQ(item_lines(Item::alarm, s, 0)[2], "ALRM=C100           ");
  EXPECT_EQ(item_lines(Item::alarm, s, 0)[3], "[Over Volt]         ");
}

TEST(PanelScreens, Heatsink) {
  auto s = healthy();
  expect_screen(item_lines(Item::heatsink, s, 0), {"Heatsink Temp       |", "HEATSINK_TMP=+41C   |",
                                                   std::string(kBlank), std::string(kBlank)});
  s.heatsink_c = 130.0;
  EXPECT_EQ(item_lines(Item::heatsink, s, 0)[1], "HEATSINK_TMP=+119C *");
  s.heatsink_c = -52.0;
  EXPECT_EQ(item_lines(Item::heatsink, s, 0)[1], "HEATSINK_TMP=-40C  *");
  s.heatsink_c = -7.0;
  EXPECT_EQ(item_lines(Item::heatsink, s, 0)[1], "HEATSINK_TMP=-7C    ");
  s.heatsink_c.reset();
  EXPECT_EQ(item_lines(Item::heatsink, s, 0)[1], "HEATSINK_TMP=--C    ");
}

TEST(PanelScreens, PerModuleItemsWithNoModule) {
  SystemSnapshot none;
  expect_screen(item_lines(Item::status, none, 0),
                {"Status              |", "M_NO=--             |", "STAT=--             |",
                 std::string(kBlank)});
  expect_screen(item_lines(Item::module, none, 0),
                {"Mode,Current,SOC,V  |", "M_NO=--   RSOC= --% |", "I=    --A           |",
                 "V=   --V            |"});
  expect_screen(item_lines(Item::cell, none, 0), {"Cell Temp,Cycle     |", "M_NO=--   CYCL=  -- |",
                                                  "T=   --C            |", std::string(kBlank)});
  expect_screen(item_lines(Item::alarm, none, 0), {"Alarm bits          |", "M_NO=--             |",
                                                   "ALRM=  --           |", std::string(kBlank)});
}

TEST(PanelScreens, LostModuleShowsNoOldValues) {
  auto s = healthy();
  test::lose(s, 2);
  expect_screen(item_lines(Item::module, s, 2), {"Mode,Current,SOC,V  |", "M_NO=02   RSOC= --% |",
                                                 "I=    --A           |", "V=   --V            |"});
}

TEST(PanelScreens, ErrorScreens) {
  auto s = healthy();
  test::lose(s, 0);
  expect_screen(error_lines(ErrorScreen::comm_error, s),
                {"COMM ERROR          |", "CON=------------OOOX|", "Check comm cables   |",
                 std::string(kBlank)});
  expect_screen(
      error_lines(ErrorScreen::ov_error, s),
      {"OV ERROR            |", "Please discharge    |", std::string(kBlank), std::string(kBlank)});
  expect_screen(
      error_lines(ErrorScreen::discharge_error, s),
      {"DISCHARGE ERROR     |", "Please charge       |", std::string(kBlank), std::string(kBlank)});
  expect_screen(
      error_lines(ErrorScreen::no_module, s),
      {"NO MODULE           |", "Connect modules     |", std::string(kBlank), std::string(kBlank)});
  expect_screen(
      error_lines(ErrorScreen::maintenance, s),
      {"COMM OFF MODE       |", "For maintenance only|", std::string(kBlank), std::string(kBlank)});
}

TEST(PanelScreens, TopologyDetailFromErrorText) {
  auto s = healthy();
  s.topology_error = TopologyError::gap;
  s.topology_address = 2;
  s.errors.push_back({"topology_gap", "ADDRESS GAP 02", 0});
  expect_screen(
      error_lines(ErrorScreen::topology, s),
      {"TOPOLOGY ERROR      |", "ADDRESS GAP 02      |", std::string(kBlank), std::string(kBlank)});
  s.errors = {{"comm_error", "COMM ERROR", 0}, {"topology_voltage", "VOLTAGE RANGE", 0}};
  EXPECT_EQ(error_lines(ErrorScreen::topology, s)[1], "VOLTAGE RANGE       ");
}

TEST(PanelScreens, TopologyDetailFallback) {
  auto s = healthy();
  s.configured_modules = 5;
  struct Case {
    TopologyError e;
    int addr;
    const char* line;
  };
  for (const Case& c : {Case{TopologyError::gap, 3, "ADDRESS GAP 03      "},
                        Case{TopologyError::duplicate, 11, "DUPLICATE ADDR 11   "},
                        Case{TopologyError::too_many, -1, "TOO MANY MODULES    "},
                        Case{TopologyError::too_few, -1, "TOO FEW MODULES     "},
                        Case{TopologyError::count, -1, "COUNT 4 NOT 5       "},
                        Case{TopologyError::pair, -1, "PAIR INCOMPLETE     "},
                        Case{TopologyError::voltage, -1, "VOLTAGE RANGE       "}}) {
    s.topology_error = c.e;
    s.topology_address = c.addr;
    EXPECT_EQ(error_lines(ErrorScreen::topology, s)[1], c.line);
  }
}

TEST(PanelScreens, ErrorPrecedence) {
  SystemSnapshot s = healthy();
  EXPECT_EQ(standing_error(s), std::nullopt);
  s.maintenance = true;
  EXPECT_EQ(standing_error(s), ErrorScreen::maintenance);
  s.topology_error = TopologyError::pair;
  EXPECT_EQ(standing_error(s), ErrorScreen::topology);
  s.no_module = true;
  EXPECT_EQ(standing_error(s), ErrorScreen::no_module);
  s.discharge_error = true;
  EXPECT_EQ(standing_error(s), ErrorScreen::discharge_error);
  s.ov_error = true;
  EXPECT_EQ(standing_error(s), ErrorScreen::ov_error);
  s.comm_error = true;
  EXPECT_EQ(standing_error(s), ErrorScreen::comm_error);
}

TEST(PanelScreens, FitLine) {
  EXPECT_EQ(fit_line("abc"), "abc                 ");
  EXPECT_EQ(fit_line("abc", true), "abc                *");
  EXPECT_EQ(fit_line("0123456789ABCDEFGHIJKLMN"), "0123456789ABCDEFGHIJ");
  EXPECT_EQ(fit_line(""), std::string(20, ' '));
}

}  // namespace
}  // namespace essd::panel
