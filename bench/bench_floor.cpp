// SPDX-License-Identifier: MIT
// bench-libs: essd_codec
// Floors for bench_core's frames/s, measured in the same scripts/bench run:
// what a minimal raw reader does with each of the 16 modules' STATUS frames
// (touch every byte), and the codec's decode alone. The distance between
// these and BM_OnFrameStatus16Parallel is the registry + interlock cost.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "essd/module_bus.hpp"

namespace {

using namespace essd;

std::array<CanFrame, 16> frames() {
  std::array<CanFrame, 16> out{};
  for (int a = 0; a < 16; ++a) {
    bus::Status s;
    s.address = static_cast<std::uint8_t>(a);
    s.voltage_10mv = 5300;
    s.rsoc = 60;
    s.chg = s.dis = s.ov = true;
    out[static_cast<std::size_t>(a)] = bus::encode(s);
  }
  return out;
}

void BM_FloorRawRead16(benchmark::State& state) {
  const auto f = frames();
  std::size_t i = 0;
  std::uint32_t sum = 0;
  for (auto _ : state) {
    const CanFrame& fr = f[i++ & 15];
    sum += fr.id;
    for (std::size_t b = 0; b < 8; ++b) sum += fr.data[b];
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FloorRawRead16);

void BM_FloorDecodeOnly16(benchmark::State& state) {
  auto f = frames();
  std::size_t i = 0;
  for (auto _ : state) {
    CanFrame& fr = f[i++ & 15];
    fr.data[7] = static_cast<std::uint8_t>(0x10 | (i & 0x0F));  // alive moves, as on the bus
    auto r = bus::decode(fr);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FloorDecodeOnly16);

}  // namespace

BENCHMARK_MAIN();
