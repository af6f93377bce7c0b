// SPDX-License-Identifier: MIT
// SetOp in virtual time (docs/host-links.md): DISCONNECT at once, CONNECT no
// sooner than 5 s after the DISCONNECT it ends; toggling cannot chatter.
#include <gtest/gtest.h>

#include "host/set_op_gate.hpp"

namespace essd::host {
namespace {

TEST(SetOpGate, DisconnectActsAtOnceConnectWaitsFiveSeconds) {
  SetOpGate g;
  EXPECT_FALSE(g.disconnected());
  EXPECT_FALSE(g.write(false, 0)) << "CONNECT while connected: nothing";
  EXPECT_TRUE(g.write(true, 1000));
  EXPECT_TRUE(g.disconnected());
  EXPECT_FALSE(g.write(false, 1200));
  EXPECT_TRUE(g.disconnected());
  EXPECT_TRUE(g.connect_pending());
  EXPECT_EQ(g.deadline(), 6000);
  EXPECT_FALSE(g.poll(5999));
  EXPECT_TRUE(g.poll(6000));
  EXPECT_FALSE(g.disconnected());
  EXPECT_EQ(g.deadline(), std::nullopt);
}

TEST(SetOpGate, ConnectLateEnoughActsAtOnce) {
  SetOpGate g;
  g.write(true, 0);
  EXPECT_TRUE(g.write(false, 5000));
  EXPECT_FALSE(g.disconnected());
}

TEST(SetOpGate, ADisconnectDropsTheWaitingConnectAndRestartsTheFiveSeconds) {
  SetOpGate g;
  g.write(true, 0);
  g.write(false, 100);
  EXPECT_FALSE(g.write(true, 4000));
  EXPECT_FALSE(g.connect_pending());
  EXPECT_FALSE(g.poll(5000));
  EXPECT_TRUE(g.disconnected());
  g.write(false, 4100);
  EXPECT_EQ(g.deadline(), 9000);
}

// issue 18: 40 toggles in 24 s gave 84 path closes. Now: none while it
// toggles, one 5 s after the last DISCONNECT when the last write is CONNECT.
TEST(SetOpGate, FortyTogglesInTwentyFourSecondsGiveOneConnect) {
  SetOpGate g;
  int connects = 0, disconnects = 0;
  MonoMs t = 0;
  for (int i = 0; i < 40; ++i, t += 600) {
    const bool disconnect = i % 2 == 0;
    if (g.write(disconnect, t)) (disconnect ? disconnects : connects)++;
    for (MonoMs s = t; s < t + 600; s += 10) {
      if (g.poll(s)) ++connects;
    }
  }
  EXPECT_EQ(disconnects, 1);
  EXPECT_EQ(connects, 0);
  EXPECT_TRUE(g.disconnected());
  const MonoMs last_disconnect = 38 * 600;
  EXPECT_EQ(g.deadline(), last_disconnect + 5000);
  EXPECT_TRUE(g.poll(last_disconnect + 5000));
}

TEST(SetOpGate, RestoredDisconnectCountsFromTheRestore) {
  auto g = SetOpGate::restored_disconnect(70'000);
  EXPECT_TRUE(g.disconnected());
  EXPECT_FALSE(g.write(false, 71'000));
  EXPECT_EQ(g.deadline(), 75'000);
}

}  // namespace
}  // namespace essd::host
