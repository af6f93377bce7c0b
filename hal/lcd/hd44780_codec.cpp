// SPDX-License-Identifier: MIT
#include "hal/lcd/hd44780_codec.hpp"

namespace essd::hal::hd44780 {

void Transfer::nibble(std::uint8_t n, bool rs) {
  const auto d = static_cast<std::uint8_t>(((n & 0x0F) << 4) | (rs ? kRs : 0) | bl_);
  if (last_rs_ != static_cast<int>(rs)) {
    bytes_.push_back(d);  // RS (and data) settle with E low before E rises
    last_rs_ = rs;
  }
  bytes_.push_back(static_cast<std::uint8_t>(d | kEn));
  bytes_.push_back(d);
}

std::vector<Step> init_sequence(bool backlight) {
  std::vector<Step> steps;
  const auto one = [&](auto fill, int wait_ms) {
    Transfer t(backlight);
    fill(t);
    steps.push_back({t.take(), wait_ms});
  };
  // > 40 ms after Vcc rises; the expander's outputs all low meanwhile (E low).
  one([](Transfer& t) { t.raw(0); }, 50);
  one([](Transfer& t) { t.nibble(0x3, false); }, 5);  // > 4.1 ms
  one([](Transfer& t) { t.nibble(0x3, false); }, 1);  // > 100 us
  one([](Transfer& t) { t.nibble(0x3, false); }, 1);
  one([](Transfer& t) { t.nibble(0x2, false); }, 1);  // now in 4-bit mode
  one(
      [](Transfer& t) {
        t.command(kCmdFunction4Bit2Line);
        t.command(kCmdDisplayOff);
        t.command(kCmdClear);
      },
      2);  // clear takes 1.52 ms
  one(
      [](Transfer& t) {
        t.command(kCmdEntryIncrement);
        t.command(kCmdDisplayOn);
      },
      0);
  return steps;
}

std::vector<Run> diff(const Frame& shown, const Frame& want) {
  std::vector<Run> runs;
  for (int r = 0; r < kRows; ++r) {
    const std::string& s = shown[static_cast<std::size_t>(r)];
    const std::string& w = want[static_cast<std::size_t>(r)];
    const auto changed = [&](int c) {
      const auto i = static_cast<std::size_t>(c);
      return i >= s.size() || i >= w.size() || s[i] != w[i];
    };
    int c = 0;
    while (c < kCols) {
      if (!changed(c)) {
        ++c;
        continue;
      }
      int end = c + 1;  // one past the last changed cell of this run
      for (int k = end; k < kCols; ++k) {
        if (changed(k)) {
          end = k + 1;
        } else if (k + 1 >= kCols || !changed(k + 1)) {
          break;  // two unchanged cells (or the row's end): the run ends
        }
      }
      std::string text = w.substr(static_cast<std::size_t>(c), static_cast<std::size_t>(end - c));
      text.resize(static_cast<std::size_t>(end - c), ' ');
      runs.push_back({r, c, std::move(text)});
      c = end;
    }
  }
  return runs;
}

std::vector<std::uint8_t> encode_run(const Run& r, bool backlight) {
  Transfer t(backlight);
  t.command(static_cast<std::uint8_t>(kCmdSetDdram |
                                      (kRowOffset[static_cast<std::size_t>(r.row)] + r.col)));
  for (char c : r.text) t.data(to_rom(c));
  return t.take();
}

std::uint8_t to_rom(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u > 0x7D || c == '\\') return '?';
  return u;
}

}  // namespace essd::hal::hd44780
