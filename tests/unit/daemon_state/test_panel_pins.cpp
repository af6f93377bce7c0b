// SPDX-License-Identifier: MIT
// The daemon's panel wiring (src/daemon/panel_pins.hpp) through a fake
// opener: which line becomes which pin with which filter, and what the
// indicators put on them.
#include <gtest/gtest.h>

#include "daemon/panel_pins.hpp"
#include "fakes/fake_pins.hpp"

namespace essd::daemon {
namespace {

TEST(PanelPinsFactory, UnconfiguredBecomeSimOrNull) {
  fakes::FakePinOpener opener;
  std::vector<std::string> errors;
  PanelConfig cfg;
  auto p = make_panel_pins(opener, cfg, errors);
  EXPECT_TRUE(errors.empty());
  for (auto* o : {&p.charge_path, &p.discharge_path, &p.power_hold, &p.led_red, &p.led_green,
                  &p.chg_lamp, &p.dis_lamp}) {
    ASSERT_TRUE(*o);
    EXPECT_EQ((*o)->describe().rfind("sim output ", 0), 0u);
    EXPECT_FALSE((*o)->get());
  }
  EXPECT_EQ(p.charge_path->describe(), "sim output charge_path");
  for (auto* i : {&p.disp_button, &p.sw_on, &p.hw_chg, &p.hw_dis, &p.hw_ov}) EXPECT_FALSE(*i);
  EXPECT_TRUE(opener.opened_outputs.empty());
}

TEST(PanelPinsFactory, ConfiguredLinesAreOpenedWithTheirSpec) {
  fakes::FakePinOpener opener;
  std::vector<std::string> errors;
  PanelConfig cfg;
  cfg.charge_path = "gpiochip0:5";
  cfg.discharge_path = "!DIS_PATH";
  cfg.disp_button = "!gpiochip1:2";
  cfg.hw_ov = "9";
  cfg.debounce_ms = 45;
  auto p = make_panel_pins(opener, cfg, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(p.charge_path->describe(), "fake output gpiochip0:5");
  EXPECT_EQ(p.discharge_path->describe(), "fake output !DIS_PATH");
  ASSERT_TRUE(p.disp_button);
  EXPECT_EQ(p.disp_button->describe(), "fake input !gpiochip1:2");
  EXPECT_EQ(static_cast<fakes::FakeInputPin&>(*p.disp_button).debounce_ms(), 45);
  EXPECT_EQ(static_cast<fakes::FakeInputPin&>(*p.disp_button).filter(),
            hal::InputFilter::button(45));
  EXPECT_EQ(p.hw_ov->describe(), "fake input gpiochip0:9");
  // The OV line blocks when low: it acts at once on low, debounces the way back.
  EXPECT_EQ(static_cast<fakes::FakeInputPin&>(*p.hw_ov).filter(),
            hal::InputFilter::interlock(45, false));
  EXPECT_FALSE(p.sw_on);
  ASSERT_EQ(opener.opened_outputs.size(), 2u);
  EXPECT_EQ(opener.opened_outputs[0], (hal::LineSpec{"gpiochip0", 5u, "", false}));
}

TEST(PanelPinsFactory, FailuresAreReportedPerLine) {
  fakes::FakePinOpener opener;
  opener.broken = {"gpiochip0:5", "gpiochip0:7"};
  std::vector<std::string> errors;
  PanelConfig cfg;
  cfg.charge_path = "gpiochip0:5";
  cfg.sw_on = "gpiochip0:7";
  cfg.hw_chg = "chip:";  // malformed
  auto p = make_panel_pins(opener, cfg, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "panel.charge_path: GPIO line gpiochip0:5 not found");
  EXPECT_EQ(errors[1].rfind("panel.sw_on: ", 0), 0u);
  EXPECT_EQ(errors[2].rfind("panel.hw_chg: GPIO line \"chip:\"", 0), 0u);
  ASSERT_TRUE(p.charge_path);  // never a null output; the caller sees the error
  EXPECT_EQ(p.charge_path->describe(), "sim output charge_path");
  EXPECT_FALSE(p.sw_on);
  EXPECT_FALSE(p.hw_chg);
}

TEST(PanelPinsFactory, ShowIndicators) {
  fakes::FakePinOpener opener;
  std::vector<std::string> errors;
  PanelConfig cfg;
  cfg.led_red = "gpiochip0:1";
  auto p = make_panel_pins(opener, cfg, errors);
  PanelView v;
  v.led_red_on = true;
  v.led_green_on = false;
  v.dis_lamp = true;
  show_indicators(v, p);
  EXPECT_TRUE(p.led_red->get());
  EXPECT_FALSE(p.led_green->get());
  EXPECT_FALSE(p.chg_lamp->get());
  EXPECT_TRUE(p.dis_lamp->get());
  v.led_red_on = false;
  show_indicators(v, p);
  EXPECT_FALSE(p.led_red->get());
  EXPECT_FALSE(p.charge_path->get());  // paths are not the panel's business
}

}  // namespace
}  // namespace essd::daemon
