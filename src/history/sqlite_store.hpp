// SPDX-License-Identifier: MIT
#pragma once
// The SQLite side of the history: used only by the worker thread (and by the
// constructor before the worker starts). Throws nothing; reports errors.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "history/history.hpp"

namespace essd::history::detail {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

class SqliteStore {
 public:
  /// WAL size beyond which a checkpoint truncates it and, if it stays
  /// beyond, wal_oversize() is reported (an event, raised by the daemon).
  static constexpr std::int64_t kWalBoundBytes = 16 << 20;
  /// PRAGMA journal_size_limit: what a reset WAL is truncated to.
  static constexpr std::int64_t kJournalSizeLimit = 4 << 20;

  /// Opens or creates the database (file mode 0600, never through a
  /// symlink); on failure error() is non-empty, and corrupt() tells whether
  /// the file itself is bad (then the caller moves it aside).
  SqliteStore(const std::string& path, int max_events);
  const std::string& error() const { return error_; }
  bool corrupt() const { return corrupt_; }
  /// The first sequence number to assign (continues after a restart).
  std::uint64_t next_seq() const { return next_seq_; }

  struct WriteResult {
    bool ok = false;
    std::int64_t trimmed = 0;
    std::string error;
  };
  /// One transaction: insert the records, remember `next_seq`, trim.
  WriteResult write(const std::vector<Record>& records, std::uint64_t next_seq);
  std::vector<Record> query(std::uint64_t after, int limit, std::string& error);
  std::vector<Record> tail(int limit, std::string& error);
  /// Size of the -wal file now; after a write that left it beyond
  /// kWalBoundBytes a TRUNCATE checkpoint was tried (worker thread).
  std::int64_t wal_bytes() const;

 private:
  void open(const std::string& path);
  // The steps of open(); each leaves error_ set when it fails.
  bool open_connection(const std::string& path);  // the file, in WAL mode
  void create_schema(const std::string& path);    // tables, version, next_seq_
  void prepare_statements();
  bool check_integrity(const std::string& path);
  void bound_wal();
  bool exec(const char* sql);
  StmtPtr prepare(const char* sql);
  std::vector<Record> read_rows(sqlite3_stmt* st, std::string& error);
  std::string db_error(const std::string& what) const;

  DbPtr db_;
  StmtPtr insert_, set_meta_, trim_, query_, tail_;
  int max_events_;
  std::uint64_t next_seq_ = 1;
  std::string error_;
  std::string wal_path_;
  bool corrupt_ = false;
};

/// Restricts the database file (and an existing -wal/-shm) to its owner
/// before SQLite opens it: API clients read the history through the API,
/// never the file (a reader holding a transaction would grow the WAL).
/// Creates the file if missing; never follows a symlink. "" = done.
std::string prepare_db_file(const std::string& path);

/// Moves a bad database (and its -wal/-shm) aside as PATH.corrupt-N; returns
/// the new name, or "" when it could not.
std::string move_aside(const std::string& path);

}  // namespace essd::history::detail
