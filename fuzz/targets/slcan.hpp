// SPDX-License-Identifier: MIT
#pragma once
// SLCAN line decoder: any byte stream, in any chunking, must decode without
// crashing, and every emitted frame must re-encode to a line that decodes
// back to the same frame. Input: byte 0 picks the chunk size (1-17), the
// rest is the serial stream.
#include <cstdint>
#include <string_view>

#include "essd/slcan.hpp"
#include "fuzz/targets/check.hpp"

namespace essd::fuzz {

inline void run_slcan(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const std::size_t chunk = 1 + data[0] % 17;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  slcan::Decoder decoder;
  while (!input.empty()) {
    const auto part = input.substr(0, chunk);
    input.remove_prefix(part.size());
    decoder.feed(part, [](const slcan::Output& out) {
      if (out.kind != slcan::Output::Kind::frame) return;
      slcan::Decoder again;
      int seen = 0;
      again.feed(slcan::encode_frame(out.frame), [&](const slcan::Output& o) {
        ESSD_FUZZ_CHECK("slcan", o.kind == slcan::Output::Kind::frame && o.frame == out.frame);
        ++seen;
      });
      ESSD_FUZZ_CHECK("slcan", seen == 1);
    });
  }
}

}  // namespace essd::fuzz
