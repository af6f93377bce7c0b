// SPDX-License-Identifier: MIT
// bench-libs: essd_codec
// SLCAN decoder throughput (frames/s through Decoder::feed) and module-bus
// frame decode throughput (frames/s through bus::decode).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "essd/module_bus.hpp"
#include "essd/slcan.hpp"

namespace {

using namespace essd;

std::vector<CanFrame> module_frames() {
  std::vector<CanFrame> v;
  for (std::uint8_t a = 0; a < 16; ++a) {
    v.push_back(bus::encode(bus::Status{.address = a,
                                        .voltage_10mv = 5320,
                                        .rsoc = 80,
                                        .state = 5,
                                        .chg = true,
                                        .dis = true,
                                        .ov = true}));
    v.push_back(bus::encode(bus::Alarms{.address = a, .bits = 0x1800, .cycles = 1337}));
    v.push_back(bus::encode(bus::CellVoltages{.address = a, .index = 3, .mv = {3300, 3301, 3302}}));
    v.push_back(bus::encode(bus::Info{.address = a, .nominal_dah = 240, .cell_blocks = 16}));
  }
  return v;
}

void BM_SlcanDecode(benchmark::State& state) {
  std::string stream;
  const auto frames = module_frames();
  for (const auto& f : frames) stream += slcan::encode_frame(f);
  const auto chunk = static_cast<std::size_t>(state.range(0));
  slcan::Decoder d;
  std::uint64_t n = 0;
  for (auto _ : state) {
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      d.feed(std::string_view(stream).substr(pos, chunk), [&](const slcan::Output& o) {
        benchmark::DoNotOptimize(o.frame.id);
        ++n;
      });
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_SlcanDecode)->Arg(1)->Arg(64)->Arg(4096);

void BM_SlcanEncode(benchmark::State& state) {
  const auto frames = module_frames();
  for (auto _ : state) {
    for (const auto& f : frames) benchmark::DoNotOptimize(slcan::encode_frame(f));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames.size()));
}
BENCHMARK(BM_SlcanEncode);

void BM_ModuleFrameDecode(benchmark::State& state) {
  const auto frames = module_frames();
  for (auto _ : state) {
    for (const auto& f : frames) benchmark::DoNotOptimize(bus::decode(f));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames.size()));
}
BENCHMARK(BM_ModuleFrameDecode);

}  // namespace

BENCHMARK_MAIN();
