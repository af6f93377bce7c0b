// SPDX-License-Identifier: MIT
// fuzz-libs: essd_codec
// libFuzzer entry for fuzz/targets/module_frame.hpp (the invariants are documented
// there; tests/unit/fuzz_regress replays fuzz/regress/module_frame/ through it).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/module_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_module_frame(data, size);
  return 0;
}
