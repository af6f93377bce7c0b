// SPDX-License-Identifier: MIT
// fuzz-libs: essd_host essd_codec
// libFuzzer entry for fuzz/targets/modbus_rtu.hpp (the invariants are documented
// there; tests/unit/fuzz_regress replays fuzz/regress/modbus_rtu/ through it).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/modbus_rtu.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_modbus_rtu(data, size);
  return 0;
}
