// SPDX-License-Identifier: MIT
// fuzz-libs: essd_codec
// libFuzzer entry for fuzz/targets/slcan.hpp (the invariants are documented
// there; tests/unit/fuzz_regress replays fuzz/regress/slcan/ through it).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/slcan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_slcan(data, size);
  return 0;
}
