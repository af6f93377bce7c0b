// SPDX-License-Identifier: MIT
// fuzz-libs: essd_gateway
// libFuzzer entry for fuzz/targets/http_request.hpp (ess-gateway's request
// path: Beast's parser with the gateway's limits, then its router).
#include <cstddef>
#include <cstdint>

#include "fuzz/targets/http_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essd::fuzz::run_http_request(data, size);
  return 0;
}
