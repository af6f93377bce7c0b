// OV ERROR / DISCHARGE ERROR latches: set, clearing thresholds, events,
// and the state file (atomic save, torn/corrupt/missing detection).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/latch_file.hpp"
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

class StateFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/essd-core-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    path = (dir / "latches.state").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  std::filesystem::path dir;
  std::string path;
};

TEST_F(StateFile, RoundTrip) {
  for (const Latches l :
       {Latches{false, false}, Latches{true, false}, Latches{false, true}, Latches{true, true}}) {
    ASSERT_EQ(save_latches(path, l), "");
    const auto r = load_latches(path);
    ASSERT_TRUE(r.latches) << r.error;
    EXPECT_EQ(*r.latches, l);
    EXPECT_EQ(r.error, "");
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_F(StateFile, MissingIsNoErrorAndNothingRestored) {
  const auto r = load_latches(path);
  EXPECT_FALSE(r.latches);
  EXPECT_EQ(r.error, "");
}

TEST_F(StateFile, TornFileDetected) {
  const std::string full = format_latches({true, true});
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    write(full.substr(0, cut));
    const auto r = load_latches(path);
    EXPECT_FALSE(r.latches) << "cut at " << cut;
    EXPECT_NE(r.error, "") << "cut at " << cut;
  }
}

TEST_F(StateFile, CorruptFileDetected) {
  const std::string full = format_latches({false, true});
  for (std::size_t i = 0; i < full.size(); ++i) {
    std::string bad = full;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    write(bad);
    const auto r = load_latches(path);
    EXPECT_FALSE(r.latches) << "flip at " << i;
    EXPECT_NE(r.error, "");
  }
  write(std::string(10000, 'x'));
  EXPECT_FALSE(load_latches(path).latches);
}

TEST_F(StateFile, SaveIntoMissingDirectoryReportsError) {
  EXPECT_NE(save_latches((dir / "nope" / "latches.state").string(), {true, false}), "");
}

}  // namespace
}  // namespace essd::core::test
