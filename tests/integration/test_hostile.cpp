// SPDX-License-Identifier: MIT
// The hostile suite (issue 18, docs/api.md "Privileged commands" and "Limits"): each
// attack an ordinary member of the API group could make, run against the
// real essd by hostile_client as an unprivileged uid, with its outcome.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "hostile.hpp"

namespace essd::itest {
namespace {

using nlohmann::json;

json counters(Rig& rig) {
  auto c = rig.client();
  return rig.request(c, {{"cmd", "counters"}})["result"];
}

std::size_t count_kind(const std::vector<json>& events, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& e : events) n += e.value("kind", "") == kind;
  return n;
}

// 1. Pipelined refused `reload`s are summarised: the history keeps its
// oldest events (the path changes an operator needs).
TEST(Hostile, RefusalFloodDoesNotFloodTheHistory) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.extra_config = "max_events = 100\n";  // [history] is the rig's last section
  rig.start();
  const auto first = rig.all_events();
  ASSERT_FALSE(first.empty());
  const auto oldest = first.front()["seq"].get<std::uint64_t>();
  const auto before = counters(rig)["history"]["last_seq"].get<long long>();
  auto out = attack(rig, kNobody, {"flood", "20000"});
  EXPECT_NE(out.find("replies 20000 forbidden 20000"), std::string::npos) << out;
  const auto events = rig.all_events();
  const auto after = counters(rig)["history"]["last_seq"].get<long long>();
  figure("refusal_flood", "events_added", after - before);
  EXPECT_LE(count_kind(events, "privileged_command"), 2u);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front()["seq"].get<std::uint64_t>(), oldest) << "the oldest event was trimmed";
  bool summary = false;
  for (const auto& e : events) {
    summary |= e.value("message", "").find("refused for uid 65534") != std::string::npos;
  }
  EXPECT_TRUE(summary) << "the first refusal is kept at once";
  EXPECT_TRUE(rig.essd().running());
}

// 2. The history file is not readable by API clients; the WAL stays bounded.
TEST(Hostile, HistoryIsUnreadableToClientsAndItsWalBounded) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.start();
  const std::string db = rig.dir / "events.db";
  struct stat st {};
  ASSERT_EQ(::stat(db.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << std::oct << st.st_mode;
  // Even with the file's group and mode opened up, a restart closes them.
  ::chmod(db.c_str(), 0666);
  rig.essd().signal(SIGTERM);
  ASSERT_TRUE(rig.essd().wait(Ms(10000)));
  rig.start_essd();
  ASSERT_EQ(::stat(db.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << std::oct << st.st_mode;
  auto out = attack(rig, kNobody, {"open"}, db);
  EXPECT_EQ(out.find("readable"), std::string::npos) << out;
  // Many events (maintenance on/off as root): the WAL is checkpointed.
  auto c = rig.client();
  for (int i = 0; i < 300; ++i) {
    rig.request(c, {{"cmd", "maintenance"}, {"on", i % 2 == 0}});
  }
  auto h = counters(rig)["history"];
  figure("wal", "wal_bytes_max", h.value("wal_bytes_max", -1));
  EXPECT_LE(h.value("wal_bytes_max", 1LL << 40), 16LL << 20) << h.dump();
  EXPECT_EQ(h.value("write_errors", -1), 0) << h.dump();
}

// 4. An id nested 32 700 arrays deep is refused, the daemon lives on.
TEST(Hostile, DeeplyNestedJsonGetsBadRequest) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.start();
  auto out = attack(rig, kNobody, {"deep", "32700"});
  EXPECT_NE(out.find("bad_request"), std::string::npos) << out;
  out = attack(rig, kNobody, {"deep", "20"});
  EXPECT_NE(out.find("\"ok\":true"), std::string::npos) << "a modest id is echoed: " << out;
  EXPECT_TRUE(rig.essd().running());
  EXPECT_EQ(rig.status()["model"], "IJ1001C");
}

// 5. One uid holding connections cannot lock out root (or another uid);
// idle sessions that do not watch are closed.
TEST(Hostile, OneUidCannotLockOutTheOperators) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.start();
  auto holder = attack_in_background(rig, kNobody, {"hold", "64"});
  auto line = holder.read_line(Ms(20000));
  ASSERT_TRUE(line);
  figure("lockout", "connections_held", std::stoll(line->substr(5)));
  EXPECT_EQ(*line, "held 16 rejected 48");
  auto root = rig.client();  // root gets in
  EXPECT_TRUE(root.connected());
  auto other = attack(rig, 60001, {"deep", "1"});
  EXPECT_NE(other.find("\"ok\":true"), std::string::npos) << "another uid gets in: " << other;
  auto c = counters(rig)["api"];
  EXPECT_GE(c["rejected_per_uid"].get<int>(), 48) << c.dump();
}

TEST(Hostile, IdleSessionsAreClosed) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.start();
  // The rig's config has [api] before [panel]: rewrite it with a short timeout.
  auto text = rig.config_text();
  text.replace(text.find("[panel]"), 0, "idle_timeout_s = 1\n");
  write_file(rig.config_path(), text);
  {
    auto c = rig.client();
    auto r = rig.request(c, {{"cmd", "reload"}});
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
  }
  auto w = rig.watcher();  // a watcher stays, however quiet
  auto holder = attack_in_background(rig, kNobody, {"hold", "8"});
  ASSERT_EQ(holder.read_line(Ms(20000)).value_or(""), "held 8 rejected 0");
  auto closed = holder.read_line(Ms(10000));
  ASSERT_TRUE(closed) << "idle sessions were not closed";
  figure("idle", "closed_after_ms", std::stoll(closed->substr(closed->rfind(' ') + 1)));
  auto r = rig.request(w, {{"cmd", "status"}});
  EXPECT_TRUE(r.value("ok", false)) << "the watcher was kept";
  EXPECT_GE(counters(rig)["api"]["dropped_idle"].get<int>(), 8);
}

// 6. A second essd on the same config exits before it touches the history.
TEST(Hostile, SecondInstanceLeavesTheFirstAlone) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.start();
  const auto before = rig.all_events();
  SpawnOptions o;
  o.output_file = rig.dir / "second.log";
  Child second({bin("essd"), "--config", rig.config_path(), "--sim", "2"}, o);
  auto code = second.wait(Ms(15000));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 1);
  EXPECT_NE(read_file(rig.dir / "second.log").find("another essd is running"), std::string::npos)
      << read_file(rig.dir / "second.log");
  const auto after = rig.all_events();
  const auto h = counters(rig)["history"];
  figure("second_instance", "write_errors", h["write_errors"].get<long long>());
  EXPECT_EQ(h["write_errors"].get<int>(), 0) << h.dump();
  EXPECT_EQ(count_kind(after, "start"), count_kind(before, "start"))
      << "the second daemon wrote into the first one's history";
  EXPECT_TRUE(rig.essd().running());
}

// 7. A corrupt history is noticed at open, moved aside, and a new one used.
TEST(Hostile, CorruptHistoryIsNoticed) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.start();
  rig.essd().signal(SIGTERM);
  ASSERT_TRUE(rig.essd().wait(Ms(10000)));
  const std::string db = rig.dir / "events.db";
  {
    // Page 2 (the events table's root) overwritten with garbage.
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    const std::string junk(4096, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  rig.start_essd();
  const auto events = rig.all_events();
  EXPECT_EQ(count_kind(events, "history_corrupt"), 1u);
  EXPECT_TRUE(std::filesystem::exists(db + ".corrupt-1"));
  auto h = counters(rig)["history"];
  EXPECT_EQ(h["persistent"].get<int>(), 1) << h.dump();
  figure("corrupt_history", "noticed", count_kind(events, "history_corrupt"));
}

// 8. A hostile config is rejected, on --check-config and on SIGHUP.
TEST(Hostile, DeeplyNestedConfigIsRejectedAndTheDaemonSurvives) {
  Rig rig(Rig::Bus::in_process_sim, 2);
  rig.start();
  const std::string good = read_file(rig.config_path());
  std::string header = "[a";
  for (int i = 0; i < 50000; ++i) header += ".a";
  const std::string bad = rig.dir / "bad.toml";
  write_file(bad, good + header + "]\n");
  auto r = run({bin("essd"), "--config", bad, "--check-config"});
  EXPECT_EQ(r.code, 2);
  write_file(rig.config_path(), good + header + "]\nx = [" + std::string(30000, '[') + "\n");
  auto w = rig.watcher();
  rig.essd().signal(SIGHUP);
  auto rejected = rig.wait_message(
      w,
      [](const json& m) { return m.contains("event") && m["event"]["kind"] == "config_rejected"; },
      Ms(10000));
  ASSERT_TRUE(rejected) << read_file(rig.log_path());
  EXPECT_NE(rejected->at("event")["message"].get<std::string>().find("essd.toml:"),
            std::string::npos)
      << rejected->dump();
  EXPECT_TRUE(rig.essd().running());
  figure("hostile_config", "daemon_survived", rig.essd().running() ? 1 : 0);
  EXPECT_EQ(rig.status()["model"], "IJ1001C");
}

}  // namespace
}  // namespace essd::itest
