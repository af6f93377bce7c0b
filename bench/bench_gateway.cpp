// SPDX-License-Identifier: MIT
// bench-libs: essd_gateway
// /metrics render time for 16 modules x 16 cells (prometheus-cpp registry and
// text format from the gateway's cached view), beside its floor: dumping the
// same view as JSON (the least any renderer of this data must do).
#include <benchmark/benchmark.h>

#include "gateway/metrics.hpp"
#include "gateway/state_model.hpp"

namespace {

essd::gateway::EssdView full_view() {
  using nlohmann::json;
  essd::gateway::EssdView v;
  v.up = true;
  v.hello = {{"version", "0.1.0"}, {"model", "IJ1001C"}};
  v.status =
      json::parse(R"({"model":"IJ1001C","topology":"parallel","mode":"normal","voltage_v":53.2,
    "current_a":-48.0,"rsoc_pct":80.0,"charge":{"closed":true,"blocked_by":[]},
    "discharge":{"closed":true,"blocked_by":[]},"errors":[],"limits":{"cvl_v":57.6,"ccl_a":48.0,"dcl_a":50.0,"dvl_v":32.0},
    "heatsink_c":41.5,"modules_connected":16,"modules_lost":0,"uptime_s":3600})");
  for (int a = 0; a < 16; ++a) {
    json m{{"address", a},   {"link", "connected"}, {"voltage_v", 53.2}, {"current_a", -3.0},
           {"rsoc_pct", 80}, {"temp_min_c", 24},    {"temp_max_c", 27},  {"temp_avg_c", 25.0},
           {"cycles", 1337}, {"alarms", 0}};
    json cells = json::array();
    for (int c = 0; c < 16; ++c) cells.push_back(3300 + c);
    m["cells_mv"] = cells;
    v.modules.push_back(m);
  }
  v.counters = json::parse(
      R"({"bus":{"frames_in":100000,"ctrl_sent":1000,"invalid":{"bad_length":0,"bad_version":0,
    "out_of_range":0,"bad_mux":0,"reserved_bits":0}},"api":{"clients":2},"uptime_s":3600})");
  return v;
}

void BM_MetricsRender16x16(benchmark::State& state) {
  const auto v = full_view();
  for (auto _ : state) benchmark::DoNotOptimize(essd::gateway::render_metrics(v, "bench", {}));
}
BENCHMARK(BM_MetricsRender16x16);

void BM_FloorJsonDump16x16(benchmark::State& state) {
  const auto v = full_view();
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.status.dump());
    benchmark::DoNotOptimize(v.modules.dump());
  }
}
BENCHMARK(BM_FloorJsonDump16x16);

}  // namespace

BENCHMARK_MAIN();
