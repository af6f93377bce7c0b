// SPDX-License-Identifier: MIT
#pragma once
// Config parser (src/config): any text is either accepted whole or rejected
// with FILE:LINE problems; never a crash, never a half-accepted file.
// Invariants: ok() exactly when there are no errors; every problem names the
// source and a line inside the text (or 0 for no single line).
// Input: the TOML text itself.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "fuzz/targets/check.hpp"

namespace essd::fuzz {

inline void run_config(const std::uint8_t* data, std::size_t size) {
  constexpr const char* kName = "config";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  config::ParseOptions opts;
  // Deterministic and free of /etc/group: the default names exist.
  opts.group_exists = [](const std::string& g) { return g == "essd" || g == "essd-admin"; };
  const auto r = config::parse(text, "fuzz.toml", opts);
  ESSD_FUZZ_CHECK(kName, r.ok() == r.errors.empty());
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const auto& p : r.errors) {
    ESSD_FUZZ_CHECK(kName, p.file == "fuzz.toml");
    ESSD_FUZZ_CHECK(kName, p.line >= 0 && p.line <= lines);
    ESSD_FUZZ_CHECK(kName, !p.reason.empty());
    ESSD_FUZZ_CHECK(kName, p.format().rfind("fuzz.toml:", 0) == 0);
  }
}

}  // namespace essd::fuzz
