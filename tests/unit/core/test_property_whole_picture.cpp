// SPDX-License-Identifier: MIT
// The property test of issue 12: generated histories fed to the core and to
// an independent oracle written from docs/core.md's text alone
// (whole_picture_oracle.hpp, not by the core's author). At every step:
// a path is closed only if the oracle says it may be, and a latch is clear
// only if the oracle allows it. Histories: modules arriving in any order
// (STATUS long before INFO, INFO staggered, joins mid-run), duplicates,
// losses and frozen counters, COMM OFF MODE cycles, reloads, restarts with
// the latches restored, late and skipped ticks, panel/heatsink/host inputs.
// The daemon's loss timer is modelled: the core is advanced at its
// next_deadline(); outputs are observed every 10 ms in between.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>

#include "core_rig.hpp"
#include "whole_picture_oracle.hpp"

namespace essd::core::test {
namespace {

struct Scenario {
  Model model;
  Topology topology;
  int min_n, max_n;
};
const Scenario kScenarios[] = {{Model::ij1001c, Topology::parallel, 1, 4},
                               {Model::ij1002c, Topology::parallel, 2, 16},
                               {Model::ij4001c, Topology::series, 2, 7},
                               {Model::ij4001c, Topology::series_parallel, 4, 8}};

// One module's schedule on the generated bus.
struct Sender {
  ModuleModel m;
  MonoMs start_status = 0;  // first STATUS/ALARMS
  MonoMs start_info = 0;    // first INFO (may be long after STATUS)
  MonoMs next_status = 0, next_info = 0;
  MonoMs silent_until = -1;  // a cut cable
  bool active = true;        // takes part in this run at all
  int twin_serial = -1;      // >= 0: a second module at this address sends INFO too
};

class History {
 public:
  explicit History(std::uint32_t seed, bool trace = false)
      : seed_(seed), rng_(seed), trace_(trace) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int per_mille) { return pick(0, 999) < per_mille; }

  void run() {
    const Scenario& sc = kScenarios[seed_ % 4];
    const int n = pick(sc.min_n, sc.max_n);
    cfg_ = make_config(sc.model, sc.topology, chance(500) ? n : 0);
    cfg_.heatsink_configured = chance(300);
    cfg_.limits.overcurrent_holdoff_s = 1;
    cfg_.limits.auto_shutdown_s = 10;
    restart(Latches{chance(150), chance(150)});
    const int spare = n < 16 && chance(300) ? 1 : 0;  // one more joins mid-run
    senders_.resize(static_cast<std::size_t>(n + spare));
    for (int a = 0; a < n + spare; ++a) {
      Sender& s = senders_[static_cast<std::size_t>(a)];
      s.m.address = static_cast<std::uint8_t>(a);
      s.m.serial = static_cast<std::uint8_t>(0x20 + a);
      s.m.rsoc = 60 + pick(0, 2);
      s.start_status = a >= n ? pick(5000, 15000) : pick(0, 1500);
      s.start_info = s.start_status + (chance(300) ? pick(2000, 6000) : pick(0, 999));
      s.next_status = s.start_status;
      s.next_info = s.start_info;
      if (chance(60)) s.twin_serial = 0x70 + a;
    }
    if (cfg_.heatsink_configured) feed_heatsink(40.0);
    const MonoMs end = pick(12000, 25000);
    for (now_ = 0; now_ <= end && ok_; now_ += 10) step();
  }

  bool ok() const { return ok_; }
  int closed_steps = 0, steps = 0;

 private:
  void restart(Latches restored) {
    ctl_ = std::make_unique<Controller>(cfg_, now_, restored);
    oracle_ = std::make_unique<oracle::WholePictureOracle>(cfg_, now_, restored.ov_error,
                                                           restored.discharge_error);
    maintenance_ = false;
    scheduled_.clear();
    next_tick_ = now_ + 100;
    check("restart");
  }

  void step() {
    // The daemon's timer: the core is called at each deadline it names.
    while (auto due = ctl_->next_deadline()) {
      if (*due > now_) break;
      ctl_->advance(*due);
      oracle_->advance(*due);
      check("deadline", *due);
    }
    oracle_->advance(now_);
    check("observe");
    run_scheduled();
    perturb();
    for (auto& s : senders_) send(s);
    if (now_ >= next_tick_) {
      ctl_->tick(now_);
      oracle_->tick(now_);
      check("tick");
      // Late ticks (the loop was busy), sometimes one skipped.
      next_tick_ += 100;
      if (chance(50)) next_tick_ += pick(10, 250);
    }
  }

  void send(Sender& s) {
    if (now_ < s.start_status || (s.silent_until >= 0 && now_ < s.silent_until)) return;
    if (now_ >= s.next_status) {
      s.next_status += 100 + pick(-5, 5);
      frame(s.m.status(), "STATUS");
      frame(s.m.alarms(), "ALARMS");
    }
    if (now_ >= s.start_info && now_ >= s.next_info) {
      s.next_info += 1000 + pick(-20, 20);
      frame(s.m.info(), "INFO");
      if (s.twin_serial >= 0 && chance(700)) {
        ModuleModel twin = s.m;
        twin.serial = static_cast<std::uint8_t>(s.twin_serial);
        frame(twin.info(), "twin INFO");
      }
    }
  }

  void frame(const CanFrame& f, const char* what) {
    ctl_->on_frame(f, now_);
    const bus::DecodeResult r = bus::decode(f);
    if (r.ok()) oracle_->on_message(*r.message, now_);
    check(what);
  }

  // Rare events, each a few per run.
  void perturb() {
    if (senders_.empty()) return;
    Sender& s = senders_[static_cast<std::size_t>(pick(0, static_cast<int>(senders_.size()) - 1))];
    const int roll = pick(0, 9999);
    if (roll < 8) {
      s.silent_until =
          now_ + (chance(300) ? pick(3000, 9000) : pick(200, 2500));  // a gap, a loss, a cut cable
      if (trace_)
        std::printf("t=%lld silence %d until %lld\n", static_cast<long long>(now_), s.m.address,
                    static_cast<long long>(s.silent_until));
    } else if (roll < 12) {
      s.m.freeze_alive = !s.m.freeze_alive;
      if (trace_)
        std::printf("t=%lld freeze %d %d\n", static_cast<long long>(now_), s.m.address,
                    s.m.freeze_alive);
    } else if (roll < 20) {
      s.m.state = chance(500) ? bus::kOverVoltage : bus::kOverDischarge;
      s.m.voltage_v = s.m.state == bus::kOverVoltage ? 57.5 : 46.0;
    } else if (roll < 40) {
      s.m.state = bus::kStandby;
      s.m.voltage_v = 53.0 + pick(-10, 10) / 100.0;
    } else if (roll < 48) {
      s.m.chg = chance(700);
      s.m.dis = chance(700);
      s.m.ov = chance(800);
    } else if (roll < 52) {
      s.m.rsoc = pick(55, 66);
    } else if (roll < 56) {
      s.m.current_a = pick(-300, 300) / 10.0;
    } else if (roll < 60) {
      toggle_maintenance();
    } else if (roll < 63) {
      CoreConfig c = cfg_;
      c.expected_modules = chance(500) ? 0 : static_cast<int>(senders_.size()) - pick(0, 1);
      c.limits.comm_timeout_ms = chance(500) ? 500 : pick(300, 1000);
      reload(c);
    } else if (roll < 65) {
      if (trace_) std::printf("t=%lld restart\n", static_cast<long long>(now_));
      restart(ctl_->latches());  // restored from the state file as saved
    } else if (roll < 70) {
      PanelInputs in;
      in.off_mode = chance(100);
      if (chance(500)) in.hw_chg = chance(800);
      if (chance(500)) in.hw_dis = chance(800);
      if (chance(500)) in.hw_ov = chance(800);
      ctl_->set_panel_inputs(in, now_);
      oracle_->set_panel_inputs(in, now_);
      check("panel");
    } else if (roll < 74) {
      feed_heatsink(chance(100) ? std::nullopt : std::optional<double>(pick(30, 90)));
    } else if (roll < 76) {
      const bool on = chance(300);
      ctl_->set_host_disconnect(on, now_);
      oracle_->set_host_disconnect(on, now_);
      check("host disconnect");
    } else if (roll < 79 && scheduled_.empty()) {
      // Item 3's history, which random rolls almost never line up: a module
      // is lost (its cable cut for longer than the episode), then COMM OFF
      // MODE is cycled or the config reloaded while it is still silent. It
      // must still count as lost afterwards.
      s.silent_until = now_ + pick(6000, 12000);
      const MonoMs lost_at = now_ + cfg_.limits.comm_timeout_ms + pick(100, 800);
      if (chance(500)) {
        scheduled_.push_back({lost_at, Action::maintenance});
        scheduled_.push_back({lost_at + pick(100, 2000), Action::maintenance});
      } else {
        scheduled_.push_back({lost_at, Action::reload});
      }
      if (trace_)
        std::printf("t=%lld lost-then-cycle %d\n", static_cast<long long>(now_), s.m.address);
    }
  }

  enum class Action { maintenance, reload };
  struct Scheduled {
    MonoMs at;
    Action action;
  };

  void run_scheduled() {
    while (!scheduled_.empty() && scheduled_.front().at <= now_) {
      const Action a = scheduled_.front().action;
      scheduled_.erase(scheduled_.begin());
      if (a == Action::maintenance) {
        toggle_maintenance();
      } else {
        reload(cfg_);  // the same file again: nothing about the bus changed
      }
    }
  }

  void toggle_maintenance() {
    maintenance_ = !maintenance_;
    ctl_->set_maintenance(maintenance_, now_);
    // COMM OFF MODE is not entered from the auto shut-down (it stands until a
    // fresh start); the oracle does not model the shut-down, so it hears of
    // the request only where it takes effect.
    if (ctl_->power_hold() || !maintenance_) oracle_->set_maintenance(maintenance_, now_);
    if (trace_) std::printf("t=%lld maintenance %d\n", static_cast<long long>(now_), maintenance_);
    check(maintenance_ ? "maintenance on" : "maintenance off");
  }

  void reload(const CoreConfig& c) {
    cfg_ = c;
    ctl_->reconfigure(c, now_);
    oracle_->reconfigure(c, now_);
    if (trace_)
      std::printf("t=%lld reload timeout %d expected %d\n", static_cast<long long>(now_),
                  c.limits.comm_timeout_ms, c.expected_modules);
    check("reload");
  }

  void feed_heatsink(std::optional<double> c) {
    ctl_->set_heatsink(c, now_);
    oracle_->set_heatsink(c, now_);
    check("heatsink");
  }

  void check(const char* what, MonoMs at = -1) {
    if (!ok_) return;
    const MonoMs t = at >= 0 ? at : now_;
    ++steps;
    auto fail = [&](const std::string& msg) {
      ok_ = false;
      const auto s = ctl_->snapshot(t);
      ADD_FAILURE() << "seed " << seed_ << " t=" << t << " after " << what << ": " << msg
                    << " (core con_map " << s.con_map << ")";
    };
    auto why = [](const oracle::Verdict& v) {
      std::string s;
      for (const auto& w : v.why_not) s += " [" + w + "]";
      return s;
    };
    if (ctl_->charge_closed()) {
      const auto v = oracle_->charge(t);
      if (!v.may_close) return fail("charge closed, oracle:" + why(v));
    }
    if (ctl_->discharge_closed()) {
      const auto v = oracle_->discharge(t);
      if (!v.may_close) return fail("discharge closed, oracle:" + why(v));
    }
    const Latches l = ctl_->latches();
    if (!l.ov_error && !oracle_->ov_latch_may_be_clear(t)) return fail("OV ERROR clear");
    if (!l.discharge_error && !oracle_->discharge_latch_may_be_clear(t))
      return fail("DISCHARGE ERROR clear");
    closed_steps += ctl_->charge_closed() || ctl_->discharge_closed();
    for (const auto& e : ctl_->take_events())
      if (trace_)
        std::printf("t=%lld %s: %s m=%d %s\n", static_cast<long long>(e.at_ms), what,
                    e.kind.c_str(), e.module, e.message.c_str());
  }

  std::uint32_t seed_;
  std::mt19937 rng_;
  CoreConfig cfg_;
  std::unique_ptr<Controller> ctl_;
  std::unique_ptr<oracle::WholePictureOracle> oracle_;
  std::vector<Sender> senders_;
  std::vector<Scheduled> scheduled_;
  MonoMs now_ = 0, next_tick_ = 100;
  bool maintenance_ = false;
  bool ok_ = true;
  bool trace_ = false;
};

TEST(WholePictureProperty, ClosedOnlyWhereTheOracleAllows) {
  // ESSD_PROPERTY_RUNS=<n> for a longer search; ESSD_PROPERTY_SEED=<s> one run.
  const char* runs_env = std::getenv("ESSD_PROPERTY_RUNS");
  const char* seed_env = std::getenv("ESSD_PROPERTY_SEED");
  const int runs = runs_env ? std::atoi(runs_env) : 400;
  const std::uint32_t base =
      seed_env ? static_cast<std::uint32_t>(std::strtoul(seed_env, nullptr, 10)) : 20261201u;
  int failures = 0, closed = 0, steps = 0;
  for (int i = 0; i < (seed_env ? 1 : runs) && failures < 3; ++i) {
    History h(base + static_cast<std::uint32_t>(i), seed_env != nullptr);
    h.run();
    failures += !h.ok();
    closed += h.closed_steps;
    steps += h.steps;
  }
  // The histories must also let paths close, or the property says nothing.
  EXPECT_GT(closed, steps / 50) << closed << " of " << steps << " steps with a path closed";
}

}  // namespace
}  // namespace essd::core::test
