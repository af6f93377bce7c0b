// SPDX-License-Identifier: MIT
// The DISP flow with virtual time: short vs hold (2.99 s / 3.0 s), bounces
// (29 ms / 30 ms), the flow table, module carry-over and wrap, the items
// window over error screens, LED flash phase and lamps.
#include <gtest/gtest.h>

#include "panel/panel_model.hpp"
#include "snapshot_builder.hpp"

namespace essd::panel {
namespace {

using test::healthy;

// Drives a model with virtual time; every step renders, as the daemon does.
struct Panel {
  PanelModel m;
  SystemSnapshot s = healthy();
  MonoMs t = 1000;
  PanelView v;
  PanelView render() { return v = m.render(s, t); }
  void advance(MonoMs d) {
    t += d;
    render();
  }
  void short_press(MonoMs dur = 200) {
    m.button(true, t);
    advance(dur);
    m.button(false, t);
    render();
  }
  void hold(MonoMs dur = 3500) {
    m.button(true, t);
    advance(dur);
    m.button(false, t);
    render();
  }
};

TEST(PanelButtons, FlowTableHolds) {
  Panel p;
  EXPECT_EQ(p.render().item, "overall");
  const char* order[] = {"connection", "overall", "connection"};
  for (const char* want : order) {
    p.hold();
    EXPECT_EQ(p.v.item, want);
  }
  p.short_press();  // Connection -> Status at the lowest connected module
  EXPECT_EQ(p.v.item, "status");
  for (const char* want : {"module", "cell", "alarm", "heatsink", "overall"}) {
    p.hold();
    EXPECT_EQ(p.v.item, want);
  }
}

TEST(PanelButtons, ShortPressDoesNothingOnOverallAndHeatsink) {
  Panel p;
  p.short_press();
  EXPECT_EQ(p.v.item, "overall");
  p.hold();
  p.short_press();
  for (int i = 0; i < 4; ++i) p.hold();
  ASSERT_EQ(p.v.item, "heatsink");
  p.short_press();
  EXPECT_EQ(p.v.item, "heatsink");
  EXPECT_EQ(p.v.lines[0], "Heatsink Temp       ");
}

TEST(PanelButtons, HoldActsWhenThreeSecondsReachedNotOnRelease) {
  Panel p;
  p.m.button(true, p.t);
  EXPECT_EQ(p.m.next_deadline(), p.t + 3000);
  p.advance(2999);
  EXPECT_EQ(p.v.item, "overall");
  p.advance(1);  // 3.0 s, still held
  EXPECT_EQ(p.v.item, "connection");
  EXPECT_EQ(p.v.lines[0], "Connection          ");
  p.advance(5000);  // holding on does not repeat
  p.m.button(false, p.t);
  EXPECT_EQ(p.render().item, "connection");
}

TEST(PanelButtons, ShortAt2990HoldAt3000) {
  Panel p;
  p.hold();
  p.short_press(2990);  // 2.99 s: a short press
  EXPECT_EQ(p.v.item, "status");
  Panel q;
  q.hold();
  // 3.0 s with no render in between: the hold still counts, once.
  q.m.button(true, q.t);
  q.t += 3000;
  q.m.button(false, q.t);
  EXPECT_EQ(q.render().item, "overall");
}

TEST(PanelButtons, Bounces) {
  Panel p;
  p.hold();
  p.short_press(29);
  EXPECT_EQ(p.v.item, "connection");
  p.short_press(30);
  EXPECT_EQ(p.v.item, "status");
}

TEST(PanelButtons, ModuleCarriesOverAndWraps) {
  Panel p;
  p.s = SystemSnapshot{};
  p.s.starting = false;
  for (int a : {5, 9, 12}) test::connect(p.s, a, test::status(5300, 0, 50, 5, 5));
  p.hold();
  p.short_press();
  EXPECT_EQ(p.v.module, 5);  // lowest connected
  EXPECT_EQ(p.v.lines[1], "M_NO=05             ");
  p.short_press();
  EXPECT_EQ(p.v.module, 9);
  p.hold();  // to Mode,Current,SOC,V: the module carries over
  EXPECT_EQ(p.v.item, "module");
  EXPECT_EQ(p.v.lines[1].substr(0, 7), "M_NO=09");
  p.short_press();
  EXPECT_EQ(p.v.module, 12);
  p.short_press();  // wraps
  EXPECT_EQ(p.v.module, 5);
  p.hold();
  p.hold();
  EXPECT_EQ(p.v.item, "alarm");
  EXPECT_EQ(p.v.lines[1], "M_NO=05             ");
}

TEST(PanelButtons, NextSkipsLostModule) {
  Panel p;
  p.hold();
  p.short_press();
  p.short_press();
  ASSERT_EQ(p.v.module, 1);
  test::lose(p.s, 2);
  p.m.press(Press::short_press, p.t);  // API press; comm error stands, items shown
  p.render();
  EXPECT_EQ(p.v.module, 3);
  EXPECT_EQ(p.v.error_screen, "");
}

TEST(PanelButtons, ApiPresses) {
  Panel p;
  p.m.press(Press::long_press, p.t);
  EXPECT_EQ(p.render().item, "connection");
  p.m.press(Press::short_press, p.t);
  EXPECT_EQ(p.render().item, "status");
  EXPECT_EQ(p.v.module, 0);
}

TEST(PanelButtons, PressOnErrorShowsItemsFor30s) {
  Panel p;
  p.s.ov_error = true;
  p.render();
  EXPECT_EQ(p.v.error_screen, "ov_error");
  EXPECT_EQ(p.v.lines[0], "OV ERROR            ");
  p.hold();  // acts on the items: Overall -> Connection
  const MonoMs acted = p.t - 3500 + 3000;
  EXPECT_EQ(p.v.error_screen, "");
  EXPECT_EQ(p.v.item, "connection");
  p.t = acted + 29999;
  EXPECT_EQ(p.render().error_screen, "");
  p.t = acted + 30000;
  EXPECT_EQ(p.render().error_screen, "ov_error");
  EXPECT_EQ(p.v.item, "connection");  // the item stays selected underneath
}

TEST(PanelButtons, ItemsWindowEndsWithoutErrorAndNewErrorReplacesAtOnce) {
  Panel p;
  p.s.discharge_error = true;
  p.render();
  p.short_press();
  EXPECT_EQ(p.v.error_screen, "");
  p.s.discharge_error = false;  // cleared during the window
  p.advance(40000);
  EXPECT_EQ(p.v.error_screen, "");
  p.short_press();  // a press without an error opens no window
  p.s.no_module = true;
  p.advance(10);
  EXPECT_EQ(p.v.error_screen, "no_module");
}

TEST(PanelButtons, LedAndLamps) {
  Panel p;
  p.s.discharge.closed = false;
  p.render();
  EXPECT_EQ(p.v.led, LedMode::green);
  EXPECT_TRUE(p.v.led_green_on);
  EXPECT_FALSE(p.v.led_red_on);
  EXPECT_TRUE(p.v.chg_lamp);
  EXPECT_FALSE(p.v.dis_lamp);
  EXPECT_EQ(p.m.next_deadline(), std::nullopt);

  p.s.ov_error = true;
  const MonoMs start = p.t;
  p.render();
  EXPECT_EQ(p.v.led, LedMode::red_flash);
  EXPECT_TRUE(p.v.led_red_on);
  EXPECT_FALSE(p.v.led_green_on);
  EXPECT_EQ(p.m.next_deadline(), start + 500);
  p.t = start + 499;
  EXPECT_TRUE(p.render().led_red_on);
  p.t = start + 500;
  EXPECT_FALSE(p.render().led_red_on);
  EXPECT_EQ(p.m.next_deadline(), start + 1000);
  p.t = start + 1000;
  EXPECT_TRUE(p.render().led_red_on);

  p.s.ov_error = false;
  p.s.maintenance = true;
  p.t = start + 2000;
  p.render();
  EXPECT_EQ(p.v.led, LedMode::green_flash);
  EXPECT_EQ(p.v.error_screen, "maintenance");
  EXPECT_TRUE(p.v.led_green_on);
  p.t += 500;
  EXPECT_FALSE(p.render().led_green_on);
  EXPECT_FALSE(p.v.led_red_on);
}

TEST(PanelButtons, LedRedForModuleFaultStates) {
  for (std::uint8_t st = 0; st < 16; ++st) {
    Panel p;
    p.s.modules[1].status->state = st;
    const bool red = st == 6 || st == 7 || (st >= 9 && st <= 0xD);
    EXPECT_EQ(p.render().led, red ? LedMode::red_flash : LedMode::green) << int(st);
    EXPECT_EQ(p.v.error_screen, "");
    p.s.maintenance = true;  // a module fault outranks the maintenance flash
    EXPECT_EQ(p.render().led, red ? LedMode::red_flash : LedMode::green_flash) << int(st);
  }
}

TEST(PanelButtons, ErrorScreenInView) {
  Panel p;
  test::lose(p.s, 0);
  p.render();
  EXPECT_EQ(p.v.error_screen, "comm_error");
  EXPECT_EQ(p.v.lines[1], "CON=------------OOOX");
  EXPECT_EQ(p.v.led, LedMode::red_flash);
}

}  // namespace
}  // namespace essd::panel
