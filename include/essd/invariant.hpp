// SPDX-License-Identifier: MIT
#pragma once
// A failed invariant is an internal error (docs/core.md "Internal errors"):
// it says what failed on stderr and calls std::terminate(), whose handler
// (daemon/fail_safe.hpp, installed by essd) drives the path outputs open
// and sends the final CTRL before the process goes. Header-only, so any
// layer can check one without depending on the daemon.
#include <cstdio>
#include <exception>

namespace essd {

[[noreturn]] inline void invariant_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "essd: invariant failed: %s (%s:%d)\n", expr, file, line);
  std::terminate();
}

}  // namespace essd

#define ESSD_INVARIANT(cond) \
  ((cond) ? static_cast<void>(0) : ::essd::invariant_failed(#cond, __FILE__, __LINE__))
