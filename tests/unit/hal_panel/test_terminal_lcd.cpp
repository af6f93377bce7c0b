// SPDX-License-Identifier: MIT
// TerminalLcd on a pseudo-terminal: drawing, keys, and the terminal restored.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "hal/lcd/terminal_lcd.hpp"

namespace essd::hal {
namespace {

TEST(TerminalLcd, Keys) {
  EXPECT_EQ(TerminalLcd::key_to_press('d'), essd::Press::short_press);
  EXPECT_EQ(TerminalLcd::key_to_press(' '), essd::Press::short_press);
  EXPECT_EQ(TerminalLcd::key_to_press('D'), essd::Press::long_press);
  EXPECT_EQ(TerminalLcd::key_to_press('l'), essd::Press::long_press);
  EXPECT_EQ(TerminalLcd::key_to_press('x'), std::nullopt);
}

TEST(TerminalLcd, RenderHasLinesLedAndLamps) {
  PanelView v;
  v.lines = {"Overall             ", "MODE=DIS   RSOC= 80%", "I= -24.0A           ",
             "V= 53.2V            "};
  v.led_red_on = true;
  v.led_green_on = false;
  v.chg_lamp = true;
  const std::string s = TerminalLcd::render(v);
  EXPECT_EQ(s.rfind("\x1b"
                    "7\x1b[1;1H",
                    0),
            0u);  // saves the cursor, goes home
  EXPECT_NE(s.find("|\x1b[7mMODE=DIS   RSOC= 80%\x1b[0m|"), std::string::npos);
  EXPECT_NE(s.find("LED \x1b[1;31m"), std::string::npos);  // red lit
  EXPECT_NE(s.find("CHG \x1b[1;32m"), std::string::npos);  // lamp lit green
  EXPECT_NE(s.find("DIS \x1b[2m"), std::string::npos);     // lamp dark
  EXPECT_EQ(s.substr(s.size() - 2),
            "\x1b"
            "8");  // restores the cursor
}

struct Pty {
  int master = -1, slave = -1;
  Pty() { EXPECT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0); }
  ~Pty() {
    ::close(master);
    ::close(slave);
  }
  // Reads what the terminal got until `needle` arrived or `ms` passed (the
  // pty hands data over asynchronously, so a plain read could come early).
  std::string read_until(const std::string& needle, int ms = 5000) {
    std::string out;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (needle.empty() || out.find(needle) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
};

TEST(TerminalLcd, OnAPtyDrawsReadsKeysAndRestores) {
  Pty pty;
  termios before{};
  ASSERT_EQ(::tcgetattr(pty.slave, &before), 0);
  boost::asio::io_context io;
  std::vector<essd::Press> presses;
  {
    TerminalLcd lcd(
        io, [&](essd::Press p) { presses.push_back(p); }, pty.slave, pty.slave);
    EXPECT_TRUE(lcd.drawing());
    termios raw{};
    ::tcgetattr(pty.slave, &raw);
    EXPECT_EQ(raw.c_lflag & (ICANON | ECHO), 0u);
    EXPECT_NE(raw.c_lflag & ISIG, 0u);
    EXPECT_NE(pty.read_until("\x1b[8;").find("\x1b[8;"),
              std::string::npos);  // scroll region below row 7

    PanelView v;
    v.lines = {"Heatsink Temp       ", "HEATSINK_TMP=+41C   ", std::string(20, ' '),
               std::string(20, ' ')};
    lcd.show(v);
    EXPECT_NE(pty.read_until("\x1b"
                             "8")
                  .find("HEATSINK_TMP=+41C"),
              std::string::npos);
    lcd.show(v);  // unchanged: nothing written
    EXPECT_EQ(pty.read_until("", 50), "");

    ASSERT_EQ(::write(pty.master, "dxD", 3), 3);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (presses.size() < 2 && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_EQ(presses, (std::vector<essd::Press>{essd::Press::short_press, essd::Press::long_press}));
  termios after{};
  ::tcgetattr(pty.slave, &after);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_NE(pty.read_until("\x1b[r").find("\x1b[r"), std::string::npos);  // scroll region reset
  io.restart();
  io.poll();  // the cancelled read must not touch the destroyed object
}

TEST(TerminalLcd, NotATtyDrawsNothing) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  boost::asio::io_context io;
  {
    TerminalLcd lcd(io, nullptr, p[0], p[1]);
    EXPECT_FALSE(lcd.drawing());
    lcd.show(PanelView{});
  }
  ::close(p[1]);
  char c;
  EXPECT_EQ(::read(p[0], &c, 1), 0);  // nothing was written
  ::close(p[0]);
}

}  // namespace
}  // namespace essd::hal
