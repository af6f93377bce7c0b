// Tests of the whole-picture oracle itself, on hand-written histories: the
// oracle must forbid what controller.md forbids and allow what a correct
// core may do, or it is no use against the core.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "whole_picture_oracle.hpp"

namespace essd::oracle {
namespace {

// One simulated module: what it sends on every 100 ms step.
struct Mod {
  int addr = 0;
  double volts = 52.0;
  double amps = 0.0;
  int rsoc = 60;
  std::uint8_t state = bus::kNormalDischarge;
  bool chg = true, dis = true, ov = true;
  std::uint16_t alarm_bits = 0;
  std::uint8_t serial = 0;
  bool talks = true;       // sends STATUS and ALARMS
  bool sends_info = true;  // sends INFO once per second
  bool frozen = false;     // alive counter stops
  std::uint8_t alive = 0;
};

bus::Status status_of(Mod& m) {
  bus::Status s;
  s.address = static_cast<std::uint8_t>(m.addr);
  s.voltage_10mv = static_cast<std::uint16_t>(std::lround(m.volts * 100));
  s.current_100ma = static_cast<std::int16_t>(std::lround(m.amps * 10));
  s.rsoc = static_cast<std::uint8_t>(m.rsoc);
  s.state = m.state;
  s.chg = m.chg;
  s.dis = m.dis;
  s.ov = m.ov;
  if (!m.frozen) m.alive = static_cast<std::uint8_t>((m.alive + 1) % 16);
  s.alive = m.alive;
  return s;
}
bus::Alarms alarms_of(const Mod& m) {
  bus::Alarms a;
  a.address = static_cast<std::uint8_t>(m.addr);
  a.bits = m.alarm_bits;
  a.temp_min_c = 24;
  a.temp_max_c = 27;
  return a;
}
bus::Info info_of(const Mod& m) {
  bus::Info i;
  i.address = static_cast<std::uint8_t>(m.addr);
  i.nominal_dah = 240;
  i.full_dah = 230;
  i.serial_byte = m.serial;
  return i;
}

// A bus of modules stepping in 100 ms rounds, fed to the oracle with a tick
// after every round. INFO goes out in round (address mod 10) of each second.
class Rig {
 public:
  explicit Rig(core::CoreConfig cfg = {}, bool ov_latch = false, bool dis_latch = false)
      : o(cfg, 0, ov_latch, dis_latch) {}

  Mod& add(int addr) {
    mods.push_back(Mod{});
    mods.back().addr = addr;
    mods.back().serial = static_cast<std::uint8_t>(0xA0 + addr);
    return mods.back();
  }
  Mod& mod(int addr) {
    return *std::find_if(mods.begin(), mods.end(), [&](const Mod& m) { return m.addr == addr; });
  }
  void step() {
    now += 100;
    const int round = static_cast<int>((now / 100) % 10);
    for (Mod& m : mods) {
      if (m.talks) {
        o.on_message(status_of(m), now);
        o.on_message(alarms_of(m), now);
      }
      if (m.talks && m.sends_info && round == m.addr % 10) o.on_message(info_of(m), now);
    }
    o.tick(now);
  }
  void run_for(MonoMs ms) {
    const MonoMs until = now + ms;
    while (now < until) step();
  }
  bool charge() const { return o.charge(now).may_close; }
  bool discharge() const { return o.discharge(now).may_close; }
  std::string why_charge() const { return join(o.charge(now).why_not); }
  std::string why_discharge() const { return join(o.discharge(now).why_not); }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += x + " | ";
    return s;
  }

  WholePictureOracle o;
  std::vector<Mod> mods;
  MonoMs now = 0;
};

core::CoreConfig config(Model model, Topology topo, int expected = 0) {
  core::CoreConfig c;
  c.model = model;
  c.topology = topo;
  c.expected_modules = expected;
  return c;
}

// Feeds one module's three frames at `at` directly.
void connect_now(WholePictureOracle& o, Mod& m, MonoMs at) {
  o.on_message(status_of(m), at);
  o.on_message(alarms_of(m), at);
  o.on_message(info_of(m), at);
}

TEST(WholePictureOracle, NothingClosesAtStart) {
  Rig r;
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  EXPECT_NE(r.why_charge().find("no module connected"), std::string::npos);
}

TEST(WholePictureOracle, ModuleTalkingWithoutInfoKeepsBothOpen) {
  Rig r;
  r.add(0);
  r.add(1).sends_info = false;
  r.run_for(3000);
  EXPECT_FALSE(r.charge());
  EXPECT_FALSE(r.discharge());
  EXPECT_NE(r.why_charge().find("module 1 talking but not connected"), std::string::npos)
      << r.why_charge();
  r.mod(1).sends_info = true;
  r.run_for(1000);  // module 1's INFO arrives: connected, but its window is open
  EXPECT_FALSE(r.charge()) << "a new module counts only after one INFO period";
  r.run_for(1100);
  EXPECT_TRUE(r.charge()) << r.why_charge();
  EXPECT_TRUE(r.discharge()) << r.why_discharge();
}

TEST(WholePictureOracle, DuplicateWindowIsOneInfoPeriodFromTheFirstInfo) {
  WholePictureOracle o({}, 0, false, false);
  Mod m;
  connect_now(o, m, 100);
  for (MonoMs t = 200; t <= 1000; t += 100) o.on_message(status_of(m), t);
  o.advance(1099);
  EXPECT_FALSE(o.charge(1099).may_close);
  o.advance(1100);
  EXPECT_TRUE(o.charge(1100).may_close) << Rig::join(o.charge(1100).why_not);
}

TEST(WholePictureOracle, DuplicateSerialsAtOneAddressAreATopologyError) {
  Rig r;
  r.add(0);
  r.run_for(2500);
  ASSERT_TRUE(r.charge());
  bus::Info twin = info_of(r.mod(0));
  twin.serial_byte = 0x55;
  r.o.on_message(twin, r.now + 10);
  EXPECT_FALSE(r.o.charge(r.now + 10).may_close);
  EXPECT_NE(Rig::join(r.o.charge(r.now + 10).why_not).find("duplicate address 0"),
            std::string::npos);
}

TEST(WholePictureOracle, FewerThanConfiguredKeepsBothOpen) {
  Rig r(config(Model::ij1001c, Topology::parallel, 3));
  r.add(0);
  r.add(1);
  r.run_for(3000);
  EXPECT_FALSE(r.charge());
  EXPECT_NE(r.why_charge().find("fewer than the configured 3"), std::string::npos)
      << r.why_charge();
  r.add(2);
  r.run_for(2100);
  EXPECT_TRUE(r.charge()) << r.why_charge();
}

}  // namespace
}  // namespace essd::oracle
