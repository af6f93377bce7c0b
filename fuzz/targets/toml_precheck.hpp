// SPDX-License-Identifier: MIT
#pragma once
// TOML pre-check (src/config/precheck.*): any text, one pass, never a crash;
// whatever it accepts has only lines of at most 4096 bytes. (The pair
// pre-check + toml++ is what fuzz_config runs: config::parse calls both;
// this target stays fast by running the pre-check alone.)
// Invariants: a rejection names a line inside the text; an accepted text has
// no line longer than the bound.
// Input: the TOML text itself.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "config/precheck.hpp"
#include "fuzz/targets/check.hpp"

namespace essd::fuzz {

inline void run_toml_precheck(const std::uint8_t* data, std::size_t size) {
  constexpr const char* kName = "toml_precheck";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto p = config::precheck_toml(text);
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (p) {
    ESSD_FUZZ_CHECK(kName, p->line >= 1 && p->line <= lines);
    ESSD_FUZZ_CHECK(kName, !p->reason.empty());
    return;
  }
  std::size_t start = 0;
  for (;;) {
    const auto nl = text.find('\n', start);
    const auto len = (nl == std::string_view::npos ? text.size() : nl) - start;
    ESSD_FUZZ_CHECK(kName, len <= config::kMaxLineBytes);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

}  // namespace essd::fuzz
