// SPDX-License-Identifier: MIT
// Registry: connection, loss by timeout and by frozen alive counter, jumps,
// invalid frames, duplicate addresses.
#include "core/registry.hpp"

#include "core_rig.hpp"

namespace essd::core::test {
namespace {

struct RegistryTest : ::testing::Test {
  Registry reg{500};
  ModuleModel m;
  MonoMs now = 0;
  void feed(const CanFrame& f) {
    reg.check(now);
    reg.apply(bus::decode(f), now);
  }
  void full_period() {
    feed(m.status());
    feed(m.alarms());
    feed(m.info());
  }
};

TEST_F(RegistryTest, ConnectsOnlyAfterStatusAlarmsAndInfo) {
  m.address = 3;
  feed(m.status());
  EXPECT_EQ(reg.module(3).link, Link::absent);
  EXPECT_TRUE(reg.module(3).seen);
  feed(m.alarms());
  EXPECT_EQ(reg.module(3).link, Link::absent);
  feed(m.info());
  EXPECT_EQ(reg.module(3).link, Link::connected);
  EXPECT_EQ(reg.take_transitions().connected, 1u << 3);
  EXPECT_EQ(reg.connected_mask(), 1u << 3);
}

TEST_F(RegistryTest, StaleStatusDoesNotCountTowardsConnecting) {
  feed(m.status());
  now = 600;
  feed(m.alarms());
  feed(m.info());
  EXPECT_EQ(reg.module(0).link, Link::absent);
  feed(m.status());
  EXPECT_EQ(reg.module(0).link, Link::connected);
}

TEST_F(RegistryTest, LostAfterTimeoutAndReconnectsOnlyWithAllThreeAfresh) {
  full_period();
  reg.take_transitions();
  now = 499;
  reg.check(now);
  EXPECT_EQ(reg.module(0).link, Link::connected);
  now = 500;
  reg.check(now);
  EXPECT_EQ(reg.module(0).link, Link::lost);
  EXPECT_EQ(reg.take_transitions().lost, 1u);
  now = 600;
  feed(m.status());
  feed(m.alarms());
  EXPECT_EQ(reg.module(0).link, Link::lost);
  feed(m.info());
  EXPECT_EQ(reg.module(0).link, Link::connected);
}

TEST_F(RegistryTest, FrozenAliveCounterLosesOnFifthRepeat) {
  full_period();
  m.freeze_alive = true;
  feed(m.status());  // the first frame with the frozen value (differs from before)
  for (int i = 0; i < 4; ++i) {
    now += 100;
    feed(m.status());
    EXPECT_EQ(reg.module(0).link, Link::connected) << i;
  }
  now += 100;
  feed(m.status());  // fifth repeat
  EXPECT_EQ(reg.module(0).link, Link::lost);
  EXPECT_EQ(reg.take_transitions().lost_frozen, 1u);
  // Still frozen: ALARMS and INFO do not bring it back.
  now += 100;
  feed(m.status());
  feed(m.alarms());
  feed(m.info());
  EXPECT_EQ(reg.module(0).link, Link::lost);
  // Moving again: ALARMS and INFO received since the loss count, the
  // STATUS must be a moving one.
  m.freeze_alive = false;
  m.alive = static_cast<std::uint8_t>((m.alive + 1) & 15);
  now += 100;
  feed(m.status());
  EXPECT_EQ(reg.module(0).link, Link::connected);
}

TEST_F(RegistryTest, AliveJumpIsAnAdvanceCountedAsMissed) {
  full_period();
  m.alive = static_cast<std::uint8_t>((m.alive + 3) & 15);  // skip 3 frames
  now += 100;
  feed(m.status());
  EXPECT_EQ(reg.module(0).missed_frames, 3u);
  EXPECT_EQ(reg.module(0).link, Link::connected);
  // Wrap-around: 15 -> 1 misses one frame.
  m.alive = 15;
  now += 100;
  feed(m.status());
  const auto before = reg.module(0).missed_frames;
  m.alive = 1;
  now += 100;
  feed(m.status());
  EXPECT_EQ(reg.module(0).missed_frames, before + 1);
}

TEST_F(RegistryTest, InvalidFramesCountedPerReasonWithoutStateChange) {
  full_period();
  const auto status_before = reg.module(0).status;
  struct Case {
    CanFrame frame;
    bus::DecodeError reason;
  };
  CanFrame short_frame = m.status();
  short_frame.len = 7;
  CanFrame bad_version = m.status();
  bad_version.data[7] = static_cast<std::uint8_t>((bad_version.data[7] & 0x0F) | 0x20);
  CanFrame bad_rsoc = m.status();
  bad_rsoc.data[4] = 101;
  CanFrame bad_mux = CanFrame::make(0x120, {4, 0, 0, 0, 0, 0, 0, 0});
  CanFrame reserved = m.status();
  reserved.data[6] |= 0x80;
  const Case cases[] = {{short_frame, bus::DecodeError::bad_length},
                        {bad_version, bus::DecodeError::bad_version},
                        {bad_rsoc, bus::DecodeError::out_of_range},
                        {bad_mux, bus::DecodeError::bad_mux},
                        {reserved, bus::DecodeError::reserved_bits}};
  for (const auto& c : cases) {
    const auto r = bus::decode(c.frame);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.error, c.reason) << to_string(c.reason);
    EXPECT_FALSE(reg.apply(r, now));
    EXPECT_EQ(reg.module(0).invalid[static_cast<std::size_t>(c.reason)], 1u);
  }
  EXPECT_EQ(reg.module(0).status, status_before);
  EXPECT_EQ(reg.module(0).link, Link::connected);
  EXPECT_EQ(reg.counters().frames_invalid, 5u);
  // Invalid frames do not keep a module alive.
  now = 600;
  reg.check(now);
  EXPECT_EQ(reg.module(0).link, Link::lost);
}

TEST_F(RegistryTest, UnknownAndNonStandardCountedGlobally) {
  reg.apply(bus::decode(CanFrame::make(0x555, {1, 2, 3, 4, 5, 6, 7, 8})), now);
  CanFrame ext = m.status();
  ext.extended = true;
  reg.apply(bus::decode(ext), now);
  EXPECT_EQ(reg.counters().unknown_id, 1u);
  EXPECT_EQ(reg.counters().not_standard, 1u);
  EXPECT_EQ(reg.counters().frames_in, 2u);
  EXPECT_FALSE(reg.module(0).seen);
}

TEST_F(RegistryTest, CellDataAssembledFromMultiplexedFrames) {
  for (std::uint8_t idx = 0; idx <= 15; idx += 3) {
    bus::CellVoltages cv;
    cv.index = idx;
    for (int k = 0; k < 3; ++k)
      cv.mv[static_cast<std::size_t>(k)] =
          idx + k < 16 ? static_cast<std::uint16_t>(3300 + idx + k) : bus::kNoCell;
    feed(bus::encode(cv));
  }
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(reg.module(0).cells_mv[static_cast<std::size_t>(i)], 3300 + i);
  bus::CellTemps ct;
  ct.index = 7;
  ct.c = {30, 31, 32, bus::kNoSensor, bus::kNoSensor, bus::kNoSensor, bus::kNoSensor};
  feed(bus::encode(ct));
  EXPECT_EQ(reg.module(0).cell_temp_count, 10);
  EXPECT_EQ(reg.module(0).cell_temps[9], 32);
}

TEST_F(RegistryTest, DuplicateAddressDetectedAndCleared) {
  full_period();
  reg.take_transitions();
  ModuleModel other = m;
  other.serial = 0x99;
  now += 400;
  feed(other.info());
  EXPECT_TRUE(reg.module(0).duplicate);
  EXPECT_EQ(reg.take_transitions().duplicate_set, 1u);
  // Same serial again and again: clears after three INFO periods.
  for (int i = 0; i < 3; ++i) {
    now += 1000;
    feed(m.status());
    feed(other.info());
  }
  now += 1;
  feed(m.status());
  reg.check(now);
  EXPECT_FALSE(reg.module(0).duplicate);
  EXPECT_EQ(reg.take_transitions().duplicate_clear, 1u);
}

TEST_F(RegistryTest, SerialChangeAfterLongerThanOnePeriodIsNoDuplicate) {
  full_period();
  ModuleModel other = m;
  other.serial = 0x42;
  now += Registry::kDuplicateWindowMs + 1;
  feed(other.info());
  EXPECT_FALSE(reg.module(0).duplicate);
}

}  // namespace
}  // namespace essd::core::test
