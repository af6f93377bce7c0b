// SPDX-License-Identifier: MIT
// fuzz-libs: essd_api
// libFuzzer entry for fuzz/targets/api_dispatcher.hpp (the invariants are documented
// there; tests/unit/fuzz_regress replays fuzz/regress/api_dispatcher/ through it).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/api_dispatcher.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_api_dispatcher(data, size);
  return 0;
}
