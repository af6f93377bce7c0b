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
  /// Opens or creates the database; on failure error() is non-empty.
  SqliteStore(const std::string& path, int max_events);
  const std::string& error() const { return error_; }
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

 private:
  bool exec(const char* sql);
  StmtPtr prepare(const char* sql);
  std::vector<Record> read_rows(sqlite3_stmt* st, std::string& error);
  std::string db_error(const std::string& what) const;

  DbPtr db_;
  StmtPtr insert_, set_meta_, trim_, query_, tail_;
  int max_events_;
  std::uint64_t next_seq_ = 1;
  std::string error_;
};

}  // namespace essd::history::detail
