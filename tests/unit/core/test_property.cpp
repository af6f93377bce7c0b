// SPDX-License-Identifier: MIT
// Randomized property test: thousands of random input sequences (frames
// from a small module model, ticks, panel inputs, heatsink, maintenance,
// host disconnect). After every step: a closed path implies every condition
// of its column holds, judged by an oracle written independently of the
// controller (its own link tracking, aggregation and latches). Where the
// oracle cannot be exact (floating-point boundaries) it is conservative: it
// only demands an open path when a condition is clearly broken.
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core_rig.hpp"
#include "property_oracle.hpp"

namespace essd::core::test {
namespace {

struct Scenario {
  Model model;
  Topology topology;
  int min_n, max_n;
};
const Scenario kScenarios[] = {{Model::ij1001c, Topology::parallel, 1, 4},
                               {Model::ij1002c, Topology::parallel, 1, 16},
                               {Model::ij4001c, Topology::series, 2, 7},
                               {Model::ij4001c, Topology::series_parallel, 4, 8}};

TEST(Property, ClosedPathImpliesEveryConditionOfItsColumn) {
  const std::uint32_t base_seed = 20261125;
  // ESSD_TRACE_SEED=<seed> prints every step of that run (debugging aid).
  const char* trace_env = std::getenv("ESSD_TRACE_SEED");
  const std::uint32_t trace_seed =
      trace_env ? static_cast<std::uint32_t>(std::strtoul(trace_env, nullptr, 10)) : 0;
  int closed_steps = 0, total_steps = 0;
  for (int run = 0; run < 1500; ++run) {
    const std::uint32_t seed = base_seed + static_cast<std::uint32_t>(run);
    std::mt19937 rng(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    auto chance = [&](int per_mille) { return pick(0, 999) < per_mille; };
    const Scenario& sc = kScenarios[run % 4];
    const int n = pick(sc.min_n, sc.max_n);
    CoreConfig cfg = make_config(sc.model, sc.topology, chance(500) ? n : 0);
    cfg.heatsink_configured = chance(500);
    cfg.limits.overcurrent_holdoff_s = 1;
    const Latches restored{chance(100), chance(100)};
    MonoMs now = 0;
    Controller ctl(cfg, now, restored);
    Oracle oracle(cfg, restored);
    ASSERT_FALSE(ctl.charge_closed()) << "seed " << seed;
    ASSERT_FALSE(ctl.discharge_closed()) << "seed " << seed;

    std::vector<ModuleModel> mods(static_cast<std::size_t>(n + 1));  // one spare address
    for (std::size_t a = 0; a < mods.size(); ++a) {
      mods[a].address = static_cast<std::uint8_t>(a);
      mods[a].serial = static_cast<std::uint8_t>(a + 1);
      mods[a].voltage_v = 53.0;
    }
    const std::size_t active = static_cast<std::size_t>(n);
    std::vector<MonoMs> silent_until(mods.size(), 0);
    MonoMs next_tick = 100;
    int period = 0;

    // One input to both, then the judgement.
    auto check = [&](const char* kind, bool tick, const CanFrame* f = nullptr) {
      auto describe = [&] { return std::string(kind) + (f ? " " + format_frame(*f) : ""); };
      if (trace_seed == seed)
        std::printf("t=%lld %s: ctl %s oracle c=%x l=%x\n", static_cast<long long>(now),
                    describe().c_str(), ctl.snapshot(now).con_map.c_str(), oracle.conn(),
                    oracle.lost());
      const std::string v = oracle.judge(now, tick, ctl.charge_closed(), ctl.discharge_closed());
      if (!v.empty()) {
        ADD_FAILURE() << "seed " << seed << " t=" << now << " after " << describe() << ": " << v
                      << " (controller con_map " << ctl.snapshot(now).con_map
                      << ", oracle connected " << std::hex << oracle.conn() << " lost "
                      << oracle.lost() << std::dec << ")";
        return false;
      }
      closed_steps += ctl.charge_closed() || ctl.discharge_closed();
      ++total_steps;
      (void)ctl.take_events();
      return true;
    };
    auto deliver = [&](CanFrame f) {
      if (chance(20))
        f.data[static_cast<std::size_t>(pick(0, 7))] ^= static_cast<std::uint8_t>(1u << pick(0, 7));
      if (chance(5)) f.len = static_cast<std::uint8_t>(pick(0, 8));
      oracle.frame(bus::decode(f), now);
      ctl.on_frame(f, now);
      return check("frame", false, &f);
    };
    // Random drift of one module's model: mostly healthy, sometimes not.
    auto drift = [&](ModuleModel& mm) {
      if (chance(20)) mm.chg = chance(850);
      if (chance(20)) mm.dis = chance(850);
      if (chance(10)) mm.ov = chance(900);
      if (chance(100)) mm.voltage_v = 53.0 + pick(-3, 3) / 10.0;
      if (chance(5)) mm.voltage_v = pick(0, 1) ? 57.5 : 47.0;
      if (chance(100)) mm.rsoc = chance(30) ? 0xFF : 60 + (chance(100) ? pick(-4, 4) : pick(-1, 1));
      if (chance(100)) mm.current_a = pick(-80, 80) / 10.0;
      if (chance(8)) mm.current_a = pick(-800, 800) / 10.0;
      if (mm.state != 0 && chance(200)) mm.state = 0;
      if (chance(4)) mm.state = static_cast<std::uint8_t>(pick(6, 7));
      if (mm.alarm_bits && chance(200)) mm.alarm_bits = 0;
      if (chance(4)) mm.alarm_bits = static_cast<std::uint16_t>(0x8000 >> pick(0, 2));
      if (mm.freeze_alive ? chance(150) : chance(3)) mm.freeze_alive = !mm.freeze_alive;
      if (chance(5)) mm.alive = static_cast<std::uint8_t>(pick(0, 15));
    };
    auto info = [&](const ModuleModel& mm) {
      ModuleModel twin = mm;
      if (chance(5)) twin.serial = 0xA0;  // a second module at this address
      return twin.info();
    };

    for (int step = 0; step < 100; ++step) {
      const int what = pick(0, 99);
      bool ok = true;
      if (what < 70) {
        // A 100 ms period: STATUS and ALARMS from every module that is not
        // silent (INFO every tenth period), a rare frame from the spare
        // address, then the tick.
        now = std::max(now, next_tick);
        next_tick = now + 100;
        for (std::size_t a = 0; a < active && ok; ++a) {
          if (chance(3)) silent_until[a] = now + pick(100, 1500);
          if (now < silent_until[a]) continue;
          drift(mods[a]);
          ok = deliver(mods[a].status()) && deliver(mods[a].alarms());
          if (ok && period % 10 == 0) ok = deliver(info(mods[a]));
        }
        if (ok && active < 16 && chance(3))
          ok = deliver(pick(0, 1) ? mods[active].status() : mods[active].info());
        ++period;
        if (!ok) break;
        ctl.tick(now);
        ok = check("tick", true);
      } else if (what < 85) {
        const std::size_t a = static_cast<std::size_t>(pick(0, n - 1));
        now += pick(0, 3);
        const int kind = pick(0, 2);
        ok = deliver(kind == 0 ? mods[a].status() : kind == 1 ? mods[a].alarms() : info(mods[a]));
      } else if (what < 90) {
        PanelInputs p;
        p.off_mode = chance(100);
        if (chance(500)) p.hw_chg = !chance(150);
        if (chance(500)) p.hw_dis = !chance(150);
        if (chance(500)) p.hw_ov = !chance(150);
        oracle.panel = p;
        ctl.set_panel_inputs(p, now);
        ok = check("panel", false);
      } else if (what < 95) {
        std::optional<double> h;
        if (!chance(50)) h = pick(500, 900) / 10.0;
        oracle.heatsink = h;
        ctl.set_heatsink(h, now);
        ok = check("heatsink", false);
      } else if (what < 97) {
        const bool on = chance(300);
        ++oracle.seq;
        if (oracle.maintenance && !on) oracle.leave_maintenance();
        oracle.maintenance = on;
        ctl.set_maintenance(on, now);
        ok = check(on ? "maintenance on" : "maintenance off", false);
      } else {
        oracle.host_disconnect = chance(100);
        ctl.set_host_disconnect(oracle.host_disconnect, now);
        ok = check("host_disconnect", false);
      }
      if (!ok) break;
      if (step % 50 == 0) {
        // The API view agrees with the outputs.
        const auto s = ctl.snapshot(now);
        ASSERT_EQ(s.charge.closed, ctl.charge_closed()) << "seed " << seed;
        ASSERT_EQ(s.charge.closed, s.charge.blocked_by.empty()) << "seed " << seed;
        ASSERT_EQ(s.discharge.closed, s.discharge.blocked_by.empty()) << "seed " << seed;
      }
    }
    if (::testing::Test::HasFailure()) return;
  }
  // Not vacuous: paths did close in a fair share of the steps.
  EXPECT_GT(closed_steps, total_steps / 10) << closed_steps << " of " << total_steps;
  std::printf("property: %d of %d steps with a closed path\n", closed_steps, total_steps);
}

}  // namespace
}  // namespace essd::core::test
