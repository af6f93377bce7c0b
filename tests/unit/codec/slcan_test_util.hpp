// SPDX-License-Identifier: MIT
#pragma once
// Helpers shared by the SLCAN decoder tests: run a decoder over bytes split
// in a chosen way and render everything it produced as text lines.
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "essd/slcan.hpp"

namespace essd::slcan::testing {

inline std::string render(const Output& out) {
  switch (out.kind) {
    case Output::Kind::frame:
      return "frame " + format_frame(out.frame);
    case Output::Kind::ok:
      return "ok";
    case Output::Kind::tx_ack:
      return "tx_ack";
    case Output::Kind::error:
      return "error";
  }
  return "?";
}

inline std::string render(const Counters& c) {
  return "counters frames=" + std::to_string(c.frames) + " ok=" + std::to_string(c.ok) +
         " tx_acks=" + std::to_string(c.tx_acks) + " errors=" + std::to_string(c.errors) +
         " garbage=" + std::to_string(c.garbage) + " overlong=" + std::to_string(c.overlong);
}

enum class Split { whole, bytewise, random };

/// Items produced, plus the final counters as the last line.
inline std::vector<std::string> run(std::string_view input, Split split, std::uint32_t seed = 1) {
  Decoder d;
  std::vector<std::string> items;
  auto sink = [&](const Output& o) { items.push_back(render(o)); };
  std::mt19937 rng(seed);
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t n = input.size() - pos;
    if (split == Split::bytewise) n = 1;
    if (split == Split::random) n = std::min<std::size_t>(n, 1 + rng() % 40);
    d.feed(input.substr(pos, n), sink);
    pos += n;
  }
  items.push_back(render(d.counters()));
  return items;
}

}  // namespace essd::slcan::testing
