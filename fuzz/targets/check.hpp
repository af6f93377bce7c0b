// SPDX-License-Identifier: MIT
#pragma once
// Invariant checks shared by the libFuzzer targets and the gcc regression
// test (tests/unit/fuzz_regress). A broken invariant must stop the run loudly
// in both: libFuzzer keeps the input as a crash artifact, the regression test
// reports the file it was running (printed before each input).
#include <cstdio>
#include <cstdlib>

namespace essd::fuzz {

[[noreturn]] inline void fail(const char* target, const char* what) {
  std::fprintf(stderr, "fuzz invariant broken in %s: %s\n", target, what);
  std::abort();
}

}  // namespace essd::fuzz

#define ESSD_FUZZ_CHECK(target, cond)               \
  do {                                              \
    if (!(cond)) ::essd::fuzz::fail(target, #cond); \
  } while (false)
