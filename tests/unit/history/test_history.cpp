// SPDX-License-Identifier: MIT
// History: append/query paging, seq continuity, trimming, drops, bad files.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "history_test_util.hpp"

namespace essd::history {
namespace {

using namespace test;
using std::chrono::system_clock;

const auto kWall =
    system_clock::time_point(std::chrono::milliseconds(1764093600123));  // 2025-11-25T18:00:00.123Z

TEST(HistoryRecord, FormatAndData) {
  EXPECT_EQ(format_time(kWall), "2025-11-25T18:00:00.123Z");
  EXPECT_EQ(format_time(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  auto r = make_record(7, ev("path_open", 3, "module_dis_line:3", "discharge"), kWall);
  EXPECT_EQ(r.data,
            (nlohmann::json{{"module", 3}, {"cause", "module_dis_line:3"}, {"path", "discharge"}}));
  auto j = r.to_json();
  EXPECT_EQ(j["seq"], 7);
  EXPECT_EQ(j["severity"], "info");
  EXPECT_EQ(j["kind"], "path_open");
  EXPECT_EQ(j["time"], "2025-11-25T18:00:00.123Z");
  EXPECT_EQ(make_record(1, ev("start"), kWall).data, nlohmann::json::object());
}

TEST(History, AppendQueryAfterLimitNext) {
  TempDir dir;
  boost::asio::io_context io;
  History h(io, dir.file("events.db"), 1000);
  ASSERT_EQ(h.open_error(), "");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(h.append(ev("k" + std::to_string(i), i), kWall).seq, i + 1u);

  auto r = query(io, h, 0, 3);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->first.size(), 3u);
  EXPECT_EQ(r->first[0].seq, 1u);
  EXPECT_EQ(r->first[2].kind, "k2");
  EXPECT_EQ(r->first[2].data["module"], 2);
  EXPECT_EQ(r->second, 3u);

  r = query(io, h, r->second, 3);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->first.size(), 2u);
  EXPECT_EQ(r->first[0].seq, 4u);
  EXPECT_EQ(r->second, 5u);

  r = query(io, h, 5, 3);  // nothing newer: next stays
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->first.empty());
  EXPECT_EQ(r->second, 5u);

  r = query(io, h, UINT64_MAX, 10);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->first.empty());

  r = run_query(io, [&](auto done) { h.query_tail(2, done); });
  ASSERT_TRUE(r);
  ASSERT_EQ(r->first.size(), 2u);
  EXPECT_EQ(r->first[0].seq, 4u);
  EXPECT_EQ(r->first[1].seq, 5u);

  h.flush();
  auto c = h.counters();
  EXPECT_EQ(c["written"], 5);
  EXPECT_EQ(c["dropped"], 0);
  EXPECT_EQ(c["persistent"], 1);
  EXPECT_GE(c["batches"], 1);
}

TEST(History, LimitIsClamped) {
  TempDir dir;
  boost::asio::io_context io;
  History h(io, dir.file("events.db"), 5000);
  for (int i = 0; i < 1005; ++i) h.append(ev("x"), kWall);
  auto r = query(io, h, 0, 5000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first.size(), 1000u);
  r = query(io, h, 0, 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first.size(), 1u);
}

TEST(History, SeqContinuesAfterReopenAndParentDirIsCreated) {
  TempDir dir;
  const auto path = dir.file("a/b/events.db");
  boost::asio::io_context io;
  {
    History h(io, path, 100);
    ASSERT_EQ(h.open_error(), "");
    for (int i = 0; i < 3; ++i) h.append(ev("x"), kWall);
  }  // destructor flushes
  History h(io, path, 100);
  ASSERT_EQ(h.open_error(), "");
  EXPECT_EQ(h.append(ev("after_restart"), kWall).seq, 4u);
  auto r = query(io, h, 0, 100);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->first.size(), 4u);
  EXPECT_EQ(r->first.back().kind, "after_restart");
  EXPECT_EQ(r->first.front().message, "message x");
}

TEST(History, TrimsOldestBeyondMaxEvents) {
  TempDir dir;
  boost::asio::io_context io;
  History h(io, dir.file("events.db"), 10);
  for (int i = 0; i < 25; ++i) {
    h.append(ev("x"), kWall);
    h.flush();  // separate batches: trimming must work across them
  }
  auto r = query(io, h, 0, 1000);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->first.size(), 10u);
  EXPECT_EQ(r->first.front().seq, 16u);
  EXPECT_EQ(r->first.back().seq, 25u);
  EXPECT_EQ(h.counters()["trimmed"], 15);
}

TEST(History, QueueFullCountsDropsAndNeverBlocks) {
  TempDir dir;
  const auto path = dir.file("events.db");
  boost::asio::io_context io;
  const std::size_t n = 2 * History::kMaxQueuedWrites + 100;
  {
    History h(io, path, 100000);
    ASSERT_EQ(h.open_error(), "");
    // Hold SQLite's write lock from another connection so the worker stalls
    // in BEGIN (busy handler) while the loop keeps appending.
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    for (std::size_t i = 0; i < n; ++i) h.append(ev("burst"), kWall);
    auto c = h.counters();
    // At most one batch in flight plus a full queue; everything else dropped.
    EXPECT_GE(c["dropped"], static_cast<std::int64_t>(n - 2 * History::kMaxQueuedWrites));
    EXPECT_LE(c["queued"], static_cast<std::int64_t>(History::kMaxQueuedWrites));
    EXPECT_EQ(c["max_queue_depth"], static_cast<std::int64_t>(History::kMaxQueuedWrites));
    ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    h.flush();
    c = h.counters();
    EXPECT_EQ(c["write_errors"], 0);
    EXPECT_EQ(c["written"] + c["dropped"], static_cast<std::int64_t>(n));
    auto r = query(io, h, 0, 1000);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first.front().seq, 1u);
  }
  // Dropped numbers are not reused after a restart.
  History h(io, path, 100000);
  EXPECT_EQ(h.append(ev("x"), kWall).seq, n + 1);
}

TEST(History, CorruptFileIsMovedAsideAndANewOneStarted) {
  // A corrupt file must not pass for an empty history (issue 18.7): it is
  // kept for a human beside the path, and a new history starts there.
  TempDir dir;
  const auto path = dir.file("events.db");
  {
    std::ofstream f(path);
    for (int i = 0; i < 1000; ++i) f << "this is not an SQLite database\n";
  }
  boost::asio::io_context io;
  History h(io, path, 100);
  EXPECT_EQ(h.open_error(), "");
  EXPECT_NE(h.recovery_note().find(path), std::string::npos) << h.recovery_note();
  EXPECT_NE(h.recovery_note().find(".corrupt-"), std::string::npos) << h.recovery_note();
  EXPECT_TRUE(h.persistent());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.append(ev("m"), kWall).seq, i + 1u);
  h.flush();
  auto r = query(io, h, 1, 10);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->first.size(), 2u);
  EXPECT_EQ(r->second, 3u);
  EXPECT_EQ(h.counters()["persistent"], 1);
}

TEST(History, UnwritableLocationGivesError) {
  boost::asio::io_context io;
  History h(io, "/proc/essd-no-such-dir/events.db", 100);
  EXPECT_NE(h.open_error(), "");
  EXPECT_EQ(h.append(ev("x"), kWall).seq, 1u);
}

TEST(History, MemoryHistoryIsBounded) {
  boost::asio::io_context io;
  History h(io, "/proc/essd-no-such-dir/events.db", 100);
  for (int i = 0; i < 250; ++i) h.append(ev("x"), kWall);
  EXPECT_EQ(h.counters()["memory_events"], 100);
  auto r = query(io, h, 0, 1000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first.front().seq, 151u);
}

}  // namespace
}  // namespace essd::history
