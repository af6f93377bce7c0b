// SPDX-License-Identifier: MIT
#include "hal/lcd/terminal_lcd.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace essd::hal {
namespace {

constexpr const char* kReset = "\x1b[0m";

std::string lamp(const char* label, bool on, const char* on_colour) {
  // A lit lamp is a bright filled dot, an unlit one a dim ring.
  return std::string(label) + " " +
         (on ? std::string(on_colour) + "\xe2\x97\x8f" : "\x1b[2m\xe2\x97\x8b") + kReset;
}

}  // namespace

TerminalLcd::TerminalLcd(boost::asio::io_context& io, KeyHandler on_key, int in_fd, int out_fd)
    : on_key_(std::move(on_key)), out_fd_(out_fd), draw_(::isatty(out_fd) == 1) {
  if (draw_) {
    winsize ws{};
    const int rows =
        (::ioctl(out_fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_row > kPanelRows + 2) ? ws.ws_row : 24;
    // Clear, keep rows 1-7 for the panel, scroll everything else below it.
    write_all("\x1b[2J\x1b[" + std::to_string(kPanelRows + 1) + ";" + std::to_string(rows) +
              "r\x1b[" + std::to_string(kPanelRows + 1) + ";1H");
  }
  if (::isatty(in_fd) == 1) {
    termios t{};
    if (::tcgetattr(in_fd, &t) == 0) {
      saved_termios_ = t;
      saved_termios_fd_ = in_fd;
      t.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));  // ISIG stays: Ctrl-C works
      t.c_cc[VMIN] = 1;
      t.c_cc[VTIME] = 0;
      ::tcsetattr(in_fd, TCSANOW, &t);
    }
    // A duplicate, so that closing ours never closes the process's stdin.
    in_fd_dup_ = ::fcntl(in_fd, F_DUPFD_CLOEXEC, 3);
    if (in_fd_dup_ >= 0) {
      in_.emplace(io, in_fd_dup_);
      read_keys();
    }
  }
}

TerminalLcd::~TerminalLcd() {
  lifetime_.end();
  if (in_) {
    boost::system::error_code ec;
    in_->close(ec);  // closes the duplicate
  }
  if (saved_termios_) ::tcsetattr(saved_termios_fd_, TCSANOW, &*saved_termios_);
  if (draw_) write_all("\x1b[r\x1b[999;1H\n");  // whole screen scrolls again
}

std::optional<essd::Press> TerminalLcd::key_to_press(char c) {
  if (c == 'd' || c == ' ') return essd::Press::short_press;
  if (c == 'D' || c == 'l') return essd::Press::long_press;
  return std::nullopt;
}

void TerminalLcd::read_keys() {
  // on_key_ may destroy this LCD: the watch says whether to read on.
  in_->async_read_some(boost::asio::buffer(buf_),
                       lifetime_.guard([this, watch = lifetime_.watch()](
                                           const boost::system::error_code& ec, std::size_t n) {
                         if (ec) return;  // EOF or closed: no more keys
                         for (std::size_t i = 0; i < n && !watch.ended(); ++i) {
                           if (auto p = key_to_press(buf_[i]); p && on_key_) on_key_(*p);
                         }
                         if (!watch.ended()) read_keys();
                       }));
}

std::string TerminalLcd::render(const PanelView& v) {
  const char* red = "\x1b[1;31m";
  const char* green = "\x1b[1;32m";
  std::string led = "LED ";
  if (v.led_red_on) {
    led += std::string(red) + "\xe2\x97\x8f" + kReset;
  } else if (v.led_green_on) {
    led += std::string(green) + "\xe2\x97\x8f" + kReset;
  } else {
    led += std::string("\x1b[2m\xe2\x97\x8b") + kReset;
  }
  const std::string border = "+" + std::string(20, '-') + "+";
  const std::array<std::string, 6> side = {
      "",
      "  " + led,
      "  " + lamp("CHG", v.chg_lamp, green) + "  " + lamp("DIS", v.dis_lamp, green),
      "",
      "  keys: d=DISP  D=hold 3 s",
      ""};
  std::string out =
      "\x1b"
      "7\x1b[1;1H";  // save cursor, home
  for (int r = 0; r < 6; ++r) {
    std::string row;
    if (r == 0 || r == 5) {
      row = border;
    } else {
      std::string line = v.lines[static_cast<std::size_t>(r - 1)];
      line.resize(20, ' ');
      row = "|\x1b[7m" + line + kReset + "|";  // reverse video: the LCD's glass
    }
    out += row + side[static_cast<std::size_t>(r)] + "\x1b[K\r\n";
  }
  out +=
      "\x1b[K\x1b"
      "8";  // blank separator row, restore cursor
  return out;
}

void TerminalLcd::show(const PanelView& view) {
  if (!draw_ || (last_ && *last_ == view)) return;
  last_ = view;
  write_all(render(view));
}

void TerminalLcd::write_all(const std::string& s) {
  // A blocking terminal write of a few hundred bytes, only on a change; a
  // terminal stopped with Ctrl-S would hold it, acceptable for --sim.
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(out_fd_, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace essd::hal
