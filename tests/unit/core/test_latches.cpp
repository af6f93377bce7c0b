// SPDX-License-Identifier: MIT
// OV ERROR / DISCHARGE ERROR latches: set, clearing thresholds, events,
// and the state file's bytes (torn/corrupt content restores both as set;
// the file I/O is the daemon's, tested in tests/unit/daemon_state).
#include "core/latch_codec.hpp"
#include "core_rig.hpp"

namespace essd::core::test {
namespace {

TEST(Latches, OvErrorSetsOnStateSixAndClearsBelow568) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.connect();
  r.mods[1].state = bus::kOverVoltage;
  r.mods[1].voltage_v = 58.0;
  r.period();
  EXPECT_TRUE(r.ctl.latches().ov_error);
  EXPECT_TRUE(r.ctl.take_latches_dirty());
  EXPECT_FALSE(r.ctl.take_latches_dirty());
  EXPECT_FALSE(r.ctl.charge_closed());
  EXPECT_TRUE(r.ctl.discharge_closed());
  r.mods[1].state = bus::kStandby;  // no longer reported, but 58.0 V
  r.run_ms(300);
  EXPECT_TRUE(r.ctl.latches().ov_error);
  r.mods[1].voltage_v = 56.8;  // not below
  r.run_ms(300);
  EXPECT_TRUE(r.ctl.latches().ov_error);
  r.mods[1].voltage_v = 56.79;
  r.period();
  EXPECT_FALSE(r.ctl.latches().ov_error);
  EXPECT_TRUE(r.ctl.charge_closed());
  EXPECT_EQ(r.events_of("latch_clear").size(), 1u);
}

TEST(Latches, OvErrorFromAlarmBit) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 1);
  r.connect();
  r.mods[0].alarm_bits = bus::kAlarmOverVoltage;
  r.ctl.on_frame(r.mods[0].alarms(), r.now + 1);
  EXPECT_TRUE(r.ctl.latches().ov_error);
  const auto s = r.ctl.snapshot(r.now + 1);
  EXPECT_TRUE(s.ov_error);
  EXPECT_EQ(s.errors.front().code, "ov_error");
  EXPECT_EQ(s.errors.front().text, "OV ERROR");
  EXPECT_EQ(s.errors.front().since_ms, r.now + 1);
}

TEST(Latches, DischargeErrorClearsOnlyAbove48) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2);
  r.connect();
  r.mods[0].state = bus::kOverDischarge;
  r.mods[0].voltage_v = 40.0;
  r.period();
  EXPECT_TRUE(r.ctl.latches().discharge_error);
  EXPECT_FALSE(r.ctl.discharge_closed());
  EXPECT_TRUE(r.ctl.charge_closed());  // charging is what it needs
  r.mods[0].state = bus::kNormalCharge;
  r.mods[0].voltage_v = 48.0;
  r.run_ms(300);
  EXPECT_TRUE(r.ctl.latches().discharge_error);
  r.mods[0].voltage_v = 48.01;
  r.period();
  EXPECT_FALSE(r.ctl.latches().discharge_error);
  EXPECT_TRUE(r.ctl.discharge_closed());
}

TEST(Latches, DoNotClearWhileAModuleIsLost) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2, Latches{false, true});
  r.connect();
  ASSERT_FALSE(r.ctl.latches().discharge_error);  // data proves it: cleared
  r.mods[0].alarm_bits = bus::kAlarmUnderVoltage;
  r.period();
  ASSERT_TRUE(r.ctl.latches().discharge_error);
  r.muted = {1};
  r.run_ms(600);
  ASSERT_EQ(r.ctl.snapshot(r.now).modules_lost, 1);
  r.mods[0].alarm_bits = 0;
  r.run_ms(300);
  EXPECT_TRUE(r.ctl.latches().discharge_error);  // module 1 unknown
}

TEST(StateBytes, RoundTrip) {
  for (const Latches l :
       {Latches{false, false}, Latches{true, false}, Latches{false, true}, Latches{true, true}}) {
    const auto r = decode_latches(encode_latches(l));
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.latches, l);
  }
  EXPECT_EQ(
      encode_latches({false, true}).rfind("essd-latches 1\nov_error 0\ndischarge_error 1\n", 0),
      0u);
}

TEST(StateBytes, TornContentRestoresBothSet) {
  const std::string full = encode_latches({false, false});
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    const auto r = decode_latches(full.substr(0, cut));
    EXPECT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.latches, (Latches{true, true})) << "cut at " << cut;
  }
}

TEST(StateBytes, CorruptContentRestoresBothSet) {
  const std::string full = encode_latches({false, false});
  for (std::size_t i = 0; i < full.size(); ++i) {
    std::string bad = full;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    const auto r = decode_latches(bad);
    EXPECT_FALSE(r.ok()) << "flip at " << i;
    EXPECT_EQ(r.latches, (Latches{true, true})) << "flip at " << i;
  }
  EXPECT_FALSE(decode_latches(std::string(10000, 'x')).ok());
  EXPECT_EQ(decode_latches(std::string(10000, 'x')).latches, (Latches{true, true}));
}

TEST(Latches, RestoredBothSetClearFromFreshData) {
  Rig r(make_config(Model::ij1001c, Topology::parallel), 2, Latches{true, true});
  r.connect();
  EXPECT_FALSE(r.ctl.latches().ov_error);
  EXPECT_FALSE(r.ctl.latches().discharge_error);
  EXPECT_TRUE(r.ctl.charge_closed());
  EXPECT_TRUE(r.ctl.discharge_closed());
}

}  // namespace
}  // namespace essd::core::test
