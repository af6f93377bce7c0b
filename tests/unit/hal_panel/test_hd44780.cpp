// SPDX-License-Identifier: MIT
// HD44780/PCF8574 bytes at the I2C write boundary: the init sequence, a
// screen update, only-changed rewrites, error counting and re-init.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "fakes/fake_i2c_device.hpp"
#include "hal/lcd/hd44780_codec.hpp"
#include "hal/lcd/hd44780_i2c.hpp"

namespace essd::hal {
namespace {

using Bytes = std::vector<std::uint8_t>;
using LcdRun = hd44780::Run;

TEST(Hd44780Codec, InitSequence) {
  const auto steps = hd44780::init_sequence(true);
  ASSERT_EQ(steps.size(), 7u);
  // Backlight 0x08 on every byte; E = 0x04; data in the high nibble.
  EXPECT_EQ(steps[0].bytes, (Bytes{0x08}));
  EXPECT_EQ(steps[0].wait_ms, 50);
  EXPECT_EQ(steps[1].bytes, (Bytes{0x38, 0x3C, 0x38}));
  EXPECT_EQ(steps[1].wait_ms, 5);
  EXPECT_EQ(steps[2].bytes, (Bytes{0x38, 0x3C, 0x38}));
  EXPECT_EQ(steps[3].bytes, (Bytes{0x38, 0x3C, 0x38}));
  EXPECT_EQ(steps[4].bytes, (Bytes{0x28, 0x2C, 0x28}));
  // 0x28 function set, 0x08 display off, 0x01 clear.
  EXPECT_EQ(steps[5].bytes,
            (Bytes{0x28, 0x2C, 0x28, 0x8C, 0x88, 0x0C, 0x08, 0x8C, 0x88, 0x0C, 0x08, 0x1C, 0x18}));
  EXPECT_EQ(steps[5].wait_ms, 2);
  // 0x06 entry mode, 0x0C display on.
  EXPECT_EQ(steps[6].bytes, (Bytes{0x08, 0x0C, 0x08, 0x6C, 0x68, 0x0C, 0x08, 0xCC, 0xC8}));
  EXPECT_EQ(hd44780::init_sequence(false)[1].bytes, (Bytes{0x30, 0x34, 0x30}));
}

TEST(Hd44780Codec, EncodeRun) {
  // Row 1 col 5: DDRAM 0x45 -> command 0xC5; then 'A' 'B' with RS = 0x01.
  EXPECT_EQ(
      hd44780::encode_run({1, 5, "AB"}, true),
      (Bytes{0xC8, 0xCC, 0xC8, 0x5C, 0x58, 0x49, 0x4D, 0x49, 0x1D, 0x19, 0x4D, 0x49, 0x2D, 0x29}));
  // Row offsets 0x00 0x40 0x14 0x54.
  EXPECT_EQ(hd44780::encode_run({2, 0, ""}, true), (Bytes{0x98, 0x9C, 0x98, 0x4C, 0x48}));
  EXPECT_EQ(hd44780::encode_run({3, 19, ""}, false), (Bytes{0xE0, 0xE4, 0xE0, 0x74, 0x70}));
}

TEST(Hd44780Codec, RomMapping) {
  EXPECT_EQ(hd44780::to_rom('A'), 'A');
  EXPECT_EQ(hd44780::to_rom('*'), '*');
  EXPECT_EQ(hd44780::to_rom('\\'), '?');
  EXPECT_EQ(hd44780::to_rom('~'), '?');
  EXPECT_EQ(hd44780::to_rom('\t'), '?');
  EXPECT_EQ(hd44780::to_rom(static_cast<char>(0xC3)), '?');
}

hd44780::Frame frame(std::string a, std::string b, std::string c, std::string d) {
  hd44780::Frame f{a, b, c, d};
  for (auto& l : f) l.resize(20, ' ');
  return f;
}

TEST(Hd44780Codec, Diff) {
  const auto a = frame("Overall", "MODE=DIS   RSOC= 80%", "I= -24.0A", "V= 53.2V");
  EXPECT_TRUE(hd44780::diff(a, a).empty());
  auto b = a;
  b[1] = "MODE=CHG   RSOC= 81%";
  b[3] = "V= 53.4V            ";
  EXPECT_EQ(hd44780::diff(a, b), (std::vector<LcdRun>{{1, 5, "CHG"}, {1, 18, "1"}, {3, 6, "4"}}));
  // A single unchanged cell between changes is rewritten, two are not.
  auto c = a;
  c[0] = "XvXrall             ";
  EXPECT_EQ(hd44780::diff(a, c), (std::vector<LcdRun>{{0, 0, "XvX"}}));
  c[0] = "XveXall             ";
  EXPECT_EQ(hd44780::diff(a, c), (std::vector<LcdRun>{{0, 0, "X"}, {0, 3, "X"}}));
  // Unknown cells ('\0') are all rewritten.
  hd44780::Frame unknown;
  for (auto& l : unknown) l.assign(20, '\0');
  const auto all = hd44780::diff(unknown, a);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[2], (LcdRun{2, 0, "I= -24.0A           "}));
}

PanelView view(std::array<std::string, 4> lines) {
  PanelView v;
  for (auto& l : lines) l.resize(20, ' ');
  v.lines = lines;
  return v;
}

struct Driver {
  boost::asio::io_context io;
  std::shared_ptr<fakes::I2cLog> log = std::make_shared<fakes::I2cLog>();
  Hd44780I2c lcd{io, std::make_unique<fakes::FakeI2cDevice>(log), {true, 1}};
  void settle() {
    io.restart();
    io.run();  // only timers of the init sequence: ~60 ms, then no work left
  }
};

TEST(Hd44780I2c, InitThenFullScreenThenOnlyChanges) {
  Driver d;
  d.lcd.show(view({"Overall", "MODE=DIS   RSOC= 80%", "I= -24.0A", "V= 53.2V"}));
  d.settle();
  EXPECT_TRUE(d.lcd.idle());
  const auto init = hd44780::init_sequence(true);
  ASSERT_EQ(d.log->transfers.size(), init.size() + 4);  // then one run per row
  for (std::size_t i = 0; i < init.size(); ++i) EXPECT_EQ(d.log->transfers[i], init[i].bytes);
  EXPECT_EQ(d.log->transfers[init.size() + 1],
            hd44780::encode_run({1, 0, "MODE=DIS   RSOC= 80%"}, true));
  EXPECT_EQ(d.lcd.stats().inits, 1u);
  EXPECT_EQ(d.lcd.stats().errors, 0u);

  d.log->transfers.clear();
  d.lcd.show(view({"Overall", "MODE=DIS   RSOC= 79%", "I= -24.0A", "V= 53.2V"}));
  d.settle();
  ASSERT_EQ(d.log->transfers.size(), 1u);
  // DDRAM 0x40+17 = 0x51 -> command 0xD1, then "79".
  EXPECT_EQ(d.log->transfers[0], (Bytes{0xD8, 0xDC, 0xD8, 0x1C, 0x18, 0x39, 0x3D, 0x39, 0x7D, 0x79,
                                        0x3D, 0x39, 0x9D, 0x99}));
  d.log->transfers.clear();
  d.lcd.show(view({"Overall", "MODE=DIS   RSOC= 79%", "I= -24.0A", "V= 53.2V"}));
  d.settle();
  EXPECT_TRUE(d.log->transfers.empty());
}

TEST(Hd44780I2c, ErrorsAreCountedThenReinitAndFullRewrite) {
  Driver d;
  const auto v = view({"COMM ERROR", "CON=------------OOOX", "Check comm cables", ""});
  d.lcd.show(v);
  d.settle();
  const std::size_t first = d.log->transfers.size();
  d.log->transfers.clear();
  d.log->fail_from = d.log->attempts;  // the next two transfers fail
  d.log->fail_until = d.log->attempts + 2;
  d.lcd.show(view({"OV ERROR", "Please discharge", "", ""}));
  d.settle();
  EXPECT_EQ(d.lcd.stats().errors, 2u);
  EXPECT_EQ(d.lcd.stats().last_error, "fake NACK");
  EXPECT_EQ(d.lcd.stats().inits, 2u);
  EXPECT_TRUE(d.lcd.idle());
  // After the failures: the whole init again, then every row rewritten.
  const auto init = hd44780::init_sequence(true);
  ASSERT_EQ(d.log->transfers.size(), init.size() + 4);
  EXPECT_EQ(d.log->transfers[0], init[0].bytes);
  EXPECT_EQ(d.log->transfers.back(), hd44780::encode_run({3, 0, std::string(20, ' ')}, true));
  EXPECT_EQ(first, init.size() + 4);
}

}  // namespace
}  // namespace essd::hal
