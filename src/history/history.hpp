// SPDX-License-Identifier: MIT
#pragma once
// Event history: SQLite 3 (WAL, synchronous=FULL) on one worker thread
// behind a bounded queue. The io_context thread only assigns the sequence
// number and enqueues; it never waits for SQLite. See docs/operations.md.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "essd/event.hpp"

namespace essd::history {

struct Record {
  std::uint64_t seq = 0;
  std::string time;  // RFC 3339 UTC with milliseconds, "2026-11-25T18:00:00.123Z"
  Severity severity = Severity::info;
  std::string kind, message;
  nlohmann::json data = nlohmann::json::object();  // module/cause/path when set

  /// The API's event object: {"seq","time","severity","kind","message","data"}.
  nlohmann::json to_json() const;
};

/// Make a record (no I/O); exposed for the API's watch pushes and tests.
Record make_record(std::uint64_t seq, const Event& e, std::chrono::system_clock::time_point wall);
/// RFC 3339 UTC with milliseconds.
std::string format_time(std::chrono::system_clock::time_point wall);

/// Every member is called from io's thread (the worker is internal). The
/// constructor opens the file synchronously: call it at start-up only.
class History {
 public:
  static constexpr std::size_t kMaxQueuedWrites = 4096;

  /// Opens/creates the DB (creating the parent directory if missing). On
  /// failure open_error() says why and the history is kept in memory only
  /// (most recent min(max_events, 10000) records).
  History(boost::asio::io_context& io, const std::string& path, int max_events);
  ~History();  // flushes queued writes and joins the worker
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  const std::string& open_error() const { return open_error_; }
  /// Set when the file was found corrupt at open, moved aside and a new one
  /// started (the daemon keeps it as an event).
  const std::string& recovery_note() const { return recovery_note_; }
  bool persistent() const { return open_error_.empty(); }

  /// Assigns the next sequence number at once (numbers continue after a
  /// restart) and queues the write. Never blocks; a full queue counts a drop.
  Record append(const Event& e, std::chrono::system_clock::time_point wall);

  /// Records with seq > after, oldest first, at most `limit` (clamped to
  /// [1, 1000]). done(records, next) runs on io's thread; `next` is the
  /// `after` for the following call (the last seq returned, else `after`).
  void query(std::uint64_t after, int limit,
             std::function<void(std::vector<Record>, std::uint64_t next)> done);
  /// As query(), with the reason when the history could not answer
  /// (`error` non-empty; the API reports it as `unavailable`, never as an
  /// empty list).
  void query(std::uint64_t after, int limit,
             std::function<void(std::vector<Record>, std::uint64_t next, std::string error)> done);
  /// Problems noticed by the worker since the last call (the WAL grew past
  /// its bound, a query failed); the daemon keeps each as an event.
  std::vector<std::string> take_notes();

  /// The newest `limit` records, oldest first (for "show me the latest").
  void query_tail(int limit, std::function<void(std::vector<Record>, std::uint64_t next)> done);

  /// Blocks until every write queued so far is durable. Shutdown only.
  void flush();

  /// queued, written, dropped, write_errors, max_queue_depth, batches,
  /// write_us_p99, write_us_max, lag_us_p99, trimmed, persistent, last_seq.
  std::map<std::string, std::int64_t> counters() const;

 private:
  struct Impl;
  boost::asio::io_context& io_;
  std::string open_error_;
  std::string recovery_note_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace essd::history
