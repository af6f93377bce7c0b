// SPDX-License-Identifier: MIT
#pragma once
// A bounded, non-recursive look at configuration text before toml++ parses
// it (docs/api.md "Limits": a configuration that cannot be parsed, however large
// or deeply nested, is rejected like any invalid file). toml++ recurses on
// dotted keys and nested arrays/inline tables, so a 50 000-level header
// would overflow the stack of a running daemon on SIGHUP; these bounds are
// far beyond any real essd.toml (which has 2-level keys and flat values).
#include <optional>
#include <string_view>

namespace essd::config {

inline constexpr std::size_t kMaxLineBytes = 4096;
inline constexpr int kMaxKeySegments = 8;    // a.b.c... in a key or a [table.header]
inline constexpr int kMaxValueNesting = 16;  // [ and { inside one value

struct PrecheckProblem {
  int line = 0;  // 1-based
  std::string_view reason;
};

/// The first bound the text exceeds, or nullopt when toml++ may parse it.
/// One pass over the text, constant memory.
std::optional<PrecheckProblem> precheck_toml(std::string_view text);

}  // namespace essd::config
