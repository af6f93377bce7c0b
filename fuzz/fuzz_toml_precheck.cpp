// SPDX-License-Identifier: MIT
// fuzz-libs: essd_config
// libFuzzer entry for fuzz/targets/toml_precheck.hpp (the invariants are documented
// there; tests/unit/fuzz_regress replays fuzz/regress/toml_precheck/ through it).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/toml_precheck.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_toml_precheck(data, size);
  return 0;
}
