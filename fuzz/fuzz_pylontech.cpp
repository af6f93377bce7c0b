// SPDX-License-Identifier: MIT
// fuzz-libs: essd_host essd_codec
// libFuzzer entry for fuzz/targets/pylontech.hpp (the invariants are documented
// there; tests/unit/fuzz_regress replays fuzz/regress/pylontech/ through it).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/pylontech.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_pylontech(data, size);
  return 0;
}
