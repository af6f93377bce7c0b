// SPDX-License-Identifier: MIT
#pragma once
// Sequences more than one integration test plays, with the test's own
// assertions (call them under ASSERT_NO_FATAL_FAILURE).
#include <gtest/gtest.h>

#include "rig.hpp"

namespace essd::itest {

/// The auto shut-down (ess-sim's module 0 over-discharged), then a charger
/// wakes the quiet modules: essd starts fresh and the status is back in
/// normal mode. Needs limits.auto_shutdown_s.
inline void auto_shutdown_then_wake(Rig& rig, api::Client& w, int modules) {
  using nlohmann::json;
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "overdischarge 0")));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["mode"] == "shutdown"; }, Ms(20000)));
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "restore 0")));
  // The modules went quiet on the shutdown request; a charger wakes them.
  ASSERT_TRUE(wait_status(
      rig, w, [modules](const json& s) { return s["modules_lost"] == modules; }, Ms(3000)));
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "power on")));
  EXPECT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["mode"] == "normal"; }, Ms(5000)));
  EXPECT_FALSE(events_of(rig.all_events(), "fresh_start").empty());
}

}  // namespace essd::itest
