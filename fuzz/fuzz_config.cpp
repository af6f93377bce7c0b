// SPDX-License-Identifier: MIT
// fuzz-libs: essd_config
// libFuzzer entry for fuzz/targets/config.hpp (the invariants are documented
// there; tests/unit/fuzz_regress replays fuzz/regress/config/ through it).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_config(data, size);
  return 0;
}
