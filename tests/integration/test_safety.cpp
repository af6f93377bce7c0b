// SPDX-License-Identifier: MIT
// Issue 12 through the real essd over a pty (ess-sim --pty speaking SLCAN):
// no path closes on a partial picture (1), a loss stands across COMM OFF
// MODE (3), a latch clears only with every module in (4), the state file
// (8) and the fresh start after an auto shut-down (9).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "rig.hpp"
#include "scenarios.hpp"

namespace essd::itest {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

bool has_error(const json& s, const std::string& code) {
  for (const auto& e : s["errors"])
    if (e.value("code", "") == code) return true;
  return false;
}

std::uint64_t seq(const json& e) {
  return e.value("seq", std::uint64_t{0});
}

// Every path_close in the history comes after the last module_connected
// before it was followed by... simply: at each path_close, every module that
// was lost or connecting has connected since. Checked on the event order.
void expect_no_close_on_partial_picture(const std::vector<json>& events, int modules) {
  std::set<int> connected, lost;
  for (const auto& e : events) {
    const std::string kind = e.value("kind", "");
    const int m = e["data"].value("module", -1);
    if (kind == "module_connected") {
      connected.insert(m);
      lost.erase(m);
    } else if (kind == "module_lost") {
      connected.erase(m);
      lost.insert(m);
    } else if (kind == "path_close") {
      EXPECT_TRUE(lost.empty()) << "path closed with a lost module: " << e.dump();
      EXPECT_EQ(static_cast<int>(connected.size()), modules)
          << "path closed before every module connected: " << e.dump();
    }
  }
}

TEST(Safety, NoPathClosesBeforeEveryModuleConnected) {
  Rig rig(Rig::Bus::pty_sim, 4);
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  EXPECT_EQ(rig.status()["modules_connected"], 4);
  // A module dropped and restored mid-run: nothing closes until it is back.
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "drop 2")));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["modules_lost"] == 1; }, Ms(3000)));
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "restore 2")));
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(10000)));
  const auto events = rig.all_events();
  EXPECT_EQ(events_of(events, "module_connected").size(), 5u);
  expect_no_close_on_partial_picture(events, 4);
}

TEST(Safety, LossStandsAcrossMaintenance) {
  Rig rig(Rig::Bus::pty_sim, 3);
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "drop 1")));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["modules_lost"] == 1; }, Ms(3000)));
  auto admin = rig.client();
  ASSERT_TRUE(rig.request(admin, {{"cmd", "maintenance"}, {"on", true}}).value("ok", false));
  ASSERT_TRUE(rig.request(admin, {{"cmd", "maintenance"}, {"on", false}}).value("ok", false));
  // Two seconds of the other modules talking: module 1 is still lost.
  const auto until = Clock::now() + Ms(2500);
  while (Clock::now() < until) {
    const auto s = rig.status();
    ASSERT_EQ(s["modules_lost"], 1) << s.dump();
    ASSERT_FALSE(s["charge"]["closed"].get<bool>()) << s.dump();
    ASSERT_FALSE(s["discharge"]["closed"].get<bool>()) << s.dump();
    ASSERT_TRUE(has_error(s, "comm_error")) << s.dump();
    w.next_message(Ms(200));
  }
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "restore 1")));
  EXPECT_TRUE(rig.wait_paths_closed(w, Ms(10000)));
  expect_no_close_on_partial_picture(rig.all_events(), 3);
}

TEST(Safety, OvLatchClearsOnlyWithEveryModuleIn) {
  Rig rig(Rig::Bus::pty_sim, 3);
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "ov 0")));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return has_error(s, "ov_error"); }, Ms(3000)));
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "drop 2")));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["modules_lost"] == 1; }, Ms(3000)));
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "restore 0")));
  // Module 0 is back in range, but module 2 cannot be judged: the latch stands.
  const auto until = Clock::now() + Ms(2000);
  while (Clock::now() < until) {
    ASSERT_TRUE(has_error(rig.status(), "ov_error"));
    w.next_message(Ms(200));
  }
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "restore 2")));
  EXPECT_TRUE(wait_status(
      rig, w, [](const json& s) { return !has_error(s, "ov_error"); }, Ms(10000)));
  const auto events = rig.all_events();
  const auto clears = events_of(events, "latch_clear");
  ASSERT_FALSE(clears.empty());
  const auto connects = events_of(events, "module_connected");
  ASSERT_FALSE(connects.empty());
  EXPECT_GT(seq(clears.front()), seq(connects.back())) << "cleared before module 2 reconnected";
}

TEST(Safety, StateFileDirectoryCreatedAndLatchRestored) {
  Rig rig(Rig::Bus::pty_sim, 2);
  rig.state_file = rig.dir / "var/lib/essd/latches.state";  // no such directory yet
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "ov 1")));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return has_error(s, "ov_error"); }, Ms(3000)));
  const auto deadline = Clock::now() + Ms(5000);
  while (read_file(rig.state_file).find("ov_error 1") == std::string::npos &&
         Clock::now() < deadline)
    w.next_message(Ms(100));
  ASSERT_NE(read_file(rig.state_file).find("ov_error 1"), std::string::npos);
  EXPECT_FALSE(has_error(rig.status(), "state_file"));
  rig.essd().signal(SIGKILL);
  ASSERT_EQ(rig.essd().wait(Ms(5000)), 128 + SIGKILL);
  rig.start_essd();
  EXPECT_TRUE(has_error(rig.status(), "ov_error"));  // restored; module 1 still over voltage
  EXPECT_FALSE(events_of(rig.all_events(), "latch_restore").empty());
}

TEST(Safety, CorruptStateFileRestoresBothLatches) {
  Rig rig(Rig::Bus::pty_sim, 2);
  rig.state_file = rig.dir / "latches.state";
  write_file(rig.state_file, "essd-latches 1\nov_error 0\ndischarge_error 0\ncrc32 00000000\n");
  rig.start();
  const auto events = rig.all_events();
  EXPECT_EQ(events_of(events, "latch_restore").size(), 2u);
  bool unusable = false;
  for (const auto& e : events_of(events, "state_file_error"))
    unusable |= e.value("message", "").find("unusable") != std::string::npos;
  EXPECT_TRUE(unusable);
  // They clear from fresh data once every module is in.
  auto w = rig.watcher();
  EXPECT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  EXPECT_EQ(events_of(rig.all_events(), "latch_clear").size(), 2u);
}

TEST(Safety, FailedSaveRaisesStateFileUntilARetrySucceeds) {
  Rig rig(Rig::Bus::pty_sim, 2);
  write_file(rig.dir / "blocker", "not a directory\n");
  rig.state_file = rig.dir / "blocker/latches.state";
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  ASSERT_TRUE(sim_ok(sim_control(rig.sim_socket(), "ov 1")));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return has_error(s, "state_file"); }, Ms(5000)));
  EXPECT_FALSE(events_of(rig.all_events(), "state_file_error").empty());
  std::filesystem::remove(rig.dir / "blocker");
  EXPECT_TRUE(wait_status(
      rig, w, [](const json& s) { return !has_error(s, "state_file"); }, Ms(5000)));
  EXPECT_NE(read_file(rig.state_file).find("ov_error 1"), std::string::npos);
}

TEST(Safety, AutoShutdownThenModulesTalkAgainStartsFresh) {
  Rig rig(Rig::Bus::pty_sim, 2);
  rig.extra_config = "[limits]\nauto_shutdown_s = 10\n";
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  ASSERT_NO_FATAL_FAILURE(auto_shutdown_then_wake(rig, w, 2));
  EXPECT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << rig.status().dump();
  EXPECT_EQ(rig.status()["modules_connected"], 2);
}

}  // namespace
}  // namespace essd::itest
