// SPDX-License-Identifier: MIT
#pragma once
// lcd = "terminal" (--sim): the panel drawn on the terminal in ANSI colours
// (the LCD's four lines in a box, the indicator LED, the CHG/DIS lamps) in a
// block of rows at the top that a scroll region keeps out of the way of the
// log lines scrolling below. Drawn only when stdout is a tty, and only when
// the view changed. Keys from stdin (a tty, put in non-canonical no-echo
// mode, restored on destruction; Ctrl-C still signals): 'd' or space = short
// DISP press, 'D' or 'l' = long press.
#include <termios.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "essd/lifetime.hpp"
#include "essd/panel_view.hpp"
#include "hal/lcd/lcd.hpp"

namespace essd::hal {

class TerminalLcd final : public Lcd {
 public:
  using KeyHandler = std::function<void(essd::Press)>;
  static constexpr int kPanelRows = 7;  // box of 6 rows and a separator

  /// in_fd/out_fd: the terminal (stdin/stdout by default; tests pass a pty).
  TerminalLcd(boost::asio::io_context& io, KeyHandler on_key, int in_fd = 0, int out_fd = 1);
  ~TerminalLcd() override;
  TerminalLcd(const TerminalLcd&) = delete;
  TerminalLcd& operator=(const TerminalLcd&) = delete;

  void show(const PanelView& view) override;
  std::string describe() const override { return "terminal"; }
  bool drawing() const { return draw_; }

  /// The panel block: cursor saved, rows 1-7 rewritten, cursor restored.
  static std::string render(const PanelView& view);
  static std::optional<essd::Press> key_to_press(char c);

 private:
  void read_keys();
  void write_all(const std::string& s);

  KeyHandler on_key_;
  int out_fd_;
  bool draw_ = false;
  std::optional<termios> saved_termios_;
  int saved_termios_fd_ = -1;
  int in_fd_dup_ = -1;
  std::optional<boost::asio::posix::stream_descriptor> in_;
  std::array<char, 64> buf_{};
  std::optional<PanelView> last_;
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::hal
