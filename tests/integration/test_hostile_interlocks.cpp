// SPDX-License-Identifier: MIT
// The hostile suite, attack 3: 60 unprivileged readers asking for the
// heaviest replies (events with limit 1000, modules) must not delay the
// interlocks. The test plays module 0 over a pty as an SLCAN adapter (the
// benchmark's link) and times CHG=0 in -> the CTRL with the charge path
// open out, and the gaps between CTRL frames, with and without the readers.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <functional>

#include "bench/e2e_link.hpp"
#include "bench/e2e_module.hpp"
#include "essd/module_bus.hpp"
#include "hostile.hpp"

namespace essd::itest {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

using bench::Module;

struct CtrlWatch {
  std::vector<double> gaps_ms;  // between consecutive CTRL frames
  Clock::time_point last{};
  void saw() {
    const auto now = Clock::now();
    if (last != Clock::time_point{})
      gaps_ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  }
};

bool wait_ctrl(bench::Link& link, Module& m, CtrlWatch& w,
               const std::function<bool(const bus::Ctrl&)>& pred, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    for (const auto& f : link.receive(std::min(deadline, m.service()))) {
      if (f.id != bus::kCtrlId) continue;
      const auto r = bus::decode(f);
      if (!r.ok()) continue;
      w.saw();
      if (pred(std::get<bus::Ctrl>(*r.message))) return true;
    }
  }
  return false;
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p / 100 * (v.size() - 1) + 0.5))];
}

struct Trips {
  std::vector<double> ms;
  CtrlWatch ctrl;
};

/// `n` trips (CHG=0 -> charge open, CHG=1 -> closed again), timed to the
/// CTRL, spread over at least `span` (the CTRL gaps are watched throughout).
Trips trips(bench::Link& link, Module& m, int n, Ms span) {
  Trips t;
  const auto pause = span / n;
  for (int i = 0; i < n; ++i) {
    wait_ctrl(
        link, m, t.ctrl, [](const bus::Ctrl&) { return false; }, pause);
    auto t0 = Clock::now();
    m.set_chg(false);
    if (!wait_ctrl(
            link, m, t.ctrl, [](const bus::Ctrl& c) { return !c.charge_closed; }, Ms(3000))) {
      ADD_FAILURE() << "no CTRL with the charge path open in 3 s";
      return t;
    }
    t.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    m.set_chg(true);
    // Watch the period while the path closes again (it waits for the
    // controller's own rules, over several periods).
    if (!wait_ctrl(
            link, m, t.ctrl, [](const bus::Ctrl& c) { return c.charge_closed; }, Ms(5000))) {
      ADD_FAILURE() << "charge path did not close again";
      return t;
    }
  }
  return t;
}

TEST(HostileInterlocks, SixtyReadersDoNotDelayTripsOrTheCtrlPeriod) {
  auto link = bench::Link::open_pty();
  Rig rig(Rig::Bus::pty_sim, 1);
  rig.external_pty = link->device();
  rig.start();
  Module module(*link);
  CtrlWatch boot;
  ASSERT_TRUE(wait_ctrl(
      *link, module, boot, [](const bus::Ctrl& c) { return c.charge_closed && c.discharge_closed; },
      Ms(15000)))
      << read_file(rig.log_path());
  // Enough events that `events limit 1000` is a full page.
  {
    auto c = rig.client();
    for (int i = 0; i < 600; ++i) {
      rig.request(c, {{"cmd", "maintenance"}, {"on", i % 2 == 0}});
      if (i % 10 == 0) {  // keep the bus side alive meanwhile
        module.service();
        link->receive(Clock::now());
      }
    }
    ASSERT_TRUE(wait_ctrl(
        *link, module, boot,
        [](const bus::Ctrl& c) { return c.charge_closed && c.discharge_closed; }, Ms(15000)));
  }
  const Trips quiet = trips(*link, module, 10, Ms(2000));

  std::vector<Child> readers;
  for (uid_t uid : {kNobody, uid_t{60001}, uid_t{60002}, uid_t{60003}}) {
    readers.push_back(attack_in_background(rig, uid, {"readers", "15", "20000"}));
  }
  auto before = rig.request(*std::make_unique<api::Client>(rig.client()), {{"cmd", "counters"}});
  // Wait until the readers are being served (serving the bus meanwhile).
  CtrlWatch warmup;
  for (int i = 0; i < 100; ++i) {
    wait_ctrl(
        *link, module, warmup, [](const bus::Ctrl&) { return false; }, Ms(100));
    auto c = rig.request(*std::make_unique<api::Client>(rig.client()), {{"cmd", "counters"}});
    if (c["result"]["api"].value("rendered", 0LL) -
            before["result"]["api"].value("rendered", 0LL) >=
        120)
      break;
  }
  const Trips loaded = trips(*link, module, 20, Ms(6000));
  auto after = rig.request(*std::make_unique<api::Client>(rig.client()), {{"cmd", "counters"}});
  for (auto& r : readers) r.signal(SIGTERM);

  const auto& loop = after["result"]["loop"];
  std::printf("trip quiet p50 %.1f max %.1f ms; loaded p50 %.1f p99 %.1f max %.1f ms\n",
              pct(quiet.ms, 50), pct(quiet.ms, 100), pct(loaded.ms, 50), pct(loaded.ms, 99),
              pct(loaded.ms, 100));
  std::printf("ctrl gap loaded p50 %.1f p99 %.1f max %.1f ms; loop %s\n",
              pct(loaded.ctrl.gaps_ms, 50), pct(loaded.ctrl.gaps_ms, 99),
              pct(loaded.ctrl.gaps_ms, 100), loop.dump().c_str());
  figure("readers60", "trip_us_p50", static_cast<long long>(pct(loaded.ms, 50) * 1000));
  figure("readers60", "trip_us_max", static_cast<long long>(pct(loaded.ms, 100) * 1000));
  figure("readers60", "ctrl_gap_ms_max", static_cast<long long>(pct(loaded.ctrl.gaps_ms, 100)));
  figure("readers60", "lag_p99_ms", loop["lag_p99_ms"].get<long long>());
  figure("readers60", "lag_max_ms", loop["lag_max_ms"].get<long long>());
  const auto rendered = after["result"]["api"].value("rendered", 0LL) -
                        before["result"]["api"].value("rendered", 0LL);
  figure("readers60", "heavy_replies", rendered);

  ASSERT_EQ(loaded.ms.size(), 20u);
  EXPECT_GT(rendered, 60) << "the readers were served";
  // "At once": the trip's CTRL follows the STATUS in the same loop turn, not
  // at the next period; the period holds (a CTRL at least every 100 ms,
  // with scheduling slack on a shared machine).
  // The tails depend on the machine: the readers, their clients and this
  // test share its cores (bench/results.md has the figures); the test
  // asserts that the typical trip is immediate and the loop never stalled.
  EXPECT_LT(pct(loaded.ms, 50), 20.0 * kHostileSlow);
  EXPECT_LT(pct(loaded.ms, 100), 1000.0 * kHostileSlow);
  EXPECT_LT(pct(loaded.ctrl.gaps_ms, 50), 110.0 * kHostileSlow);
  EXPECT_LT(pct(loaded.ctrl.gaps_ms, 100), 1000.0 * kHostileSlow);
  EXPECT_TRUE(rig.essd().running());
}

}  // namespace
}  // namespace essd::itest
