// SPDX-License-Identifier: MIT
#pragma once
// Virtual time for the sans-IO parts. Every pure component (codecs, registry,
// controller core, panel model, simulator) takes "now" as a value so that
// tests drive it deterministically; only src/daemon and hal/ read clocks.
#include <cstdint>

namespace essd {

/// Monotonic milliseconds since an arbitrary origin (steady clock in the
/// daemon, a counter in tests). Never wall-clock time.
using MonoMs = std::int64_t;

}  // namespace essd
