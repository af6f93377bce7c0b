// SPDX-License-Identifier: MIT
// bench-libs: essd_core essd_codec
// Time to process one STATUS frame through Controller::on_frame for a
// 16-module parallel system (decode + registry + full interlock evaluation),
// and a whole 100 ms period (16 STATUS + 16 ALARMS + tick).
#include <benchmark/benchmark.h>

#include <vector>

#include "core/controller.hpp"
#include "essd/module_bus.hpp"

namespace {

using namespace essd;

struct System {
  core::Controller ctl;
  std::vector<bus::Status> status;
  std::vector<bus::Alarms> alarms;
  MonoMs now = 0;

  System() : ctl(config(), 0), status(16), alarms(16) {
    for (int a = 0; a < 16; ++a) {
      auto& s = status[static_cast<std::size_t>(a)];
      s.address = static_cast<std::uint8_t>(a);
      s.voltage_10mv = 5300;
      s.current_100ma = -10;
      s.rsoc = 60;
      s.state = bus::kNormalDischarge;
      s.chg = s.dis = s.ov = true;
      auto& al = alarms[static_cast<std::size_t>(a)];
      al.address = static_cast<std::uint8_t>(a);
      al.temp_min_c = 20;
      al.temp_max_c = 25;
      bus::Info info;
      info.address = static_cast<std::uint8_t>(a);
      info.full_dah = 240;
      info.serial_byte = static_cast<std::uint8_t>(a);
      ctl.on_frame(bus::encode(s), now);
      ctl.on_frame(bus::encode(al), now);
      ctl.on_frame(bus::encode(info), now);
    }
    ctl.take_events();
    // The paths close after the balance pre-check, which needs the modules
    // heard for a while: run whole periods until they do (5 s at most).
    for (int period = 0; period < 50 && !ctl.charge_closed(); ++period) {
      now += 100;
      for (int a = 0; a < 16; ++a) {
        ctl.on_frame(next_status(a), now);
        ctl.on_frame(bus::encode(alarms[static_cast<std::size_t>(a)]), now);
      }
      ctl.tick(now);
      ctl.take_events();
    }
  }
  static core::CoreConfig config() {
    core::CoreConfig c;
    c.model = Model::ij1002c;
    c.topology = Topology::parallel;
    c.expected_modules = 16;
    return c;
  }
  CanFrame next_status(int a) {
    auto& s = status[static_cast<std::size_t>(a)];
    s.alive = static_cast<std::uint8_t>((s.alive + 1) & 0x0F);
    return bus::encode(s);
  }
};

void BM_OnFrameStatus16Parallel(benchmark::State& state) {
  System sys;
  if (!sys.ctl.charge_closed()) state.SkipWithError("paths did not close");
  int a = 0;
  for (auto _ : state) {
    const CanFrame f = sys.next_status(a);
    sys.now += 6;  // 16 frames per 100 ms
    sys.ctl.on_frame(f, sys.now);
    a = (a + 1) & 15;
    if (a == 0) sys.ctl.take_events();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OnFrameStatus16Parallel);

void BM_Period16Parallel(benchmark::State& state) {
  System sys;
  for (auto _ : state) {
    sys.now += 100;
    for (int a = 0; a < 16; ++a) {
      sys.ctl.on_frame(sys.next_status(a), sys.now);
      sys.ctl.on_frame(bus::encode(sys.alarms[static_cast<std::size_t>(a)]), sys.now);
    }
    sys.ctl.tick(sys.now);
    benchmark::DoNotOptimize(sys.ctl.next_ctrl());
    sys.ctl.take_events();
  }
  state.SetItemsProcessed(state.iterations() * 32);
}
BENCHMARK(BM_Period16Parallel);

void BM_Snapshot16(benchmark::State& state) {
  System sys;
  for (auto _ : state) benchmark::DoNotOptimize(sys.ctl.snapshot(sys.now));
}
BENCHMARK(BM_Snapshot16);

}  // namespace

BENCHMARK_MAIN();
