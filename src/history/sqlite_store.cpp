// SPDX-License-Identifier: MIT
// SQLite storage for the event history.
//
// Durability: journal_mode=WAL with synchronous=FULL. Every batch is one
// transaction whose commit fsyncs the WAL, so a committed event survives
// SIGKILL *and* power loss (NORMAL would survive SIGKILL but could lose the
// last transactions on power loss). The cost is one fsync per batch, on the
// worker thread, never on the event loop.
#include "history/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "essd/errno_text.hpp"
#include "essd/unique_fd.hpp"

namespace essd::history::detail {
namespace {

constexpr int kSchemaVersion = 1;

Severity severity_from(std::string_view s) {
  if (s == "warning") return Severity::warning;
  if (s == "error") return Severity::error;
  return Severity::info;
}

std::string column_text(sqlite3_stmt* st, int i) {
  const auto* p = sqlite3_column_text(st, i);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(st, i)))
           : std::string();
}

void bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

/// The file's content is bad (as opposed to: we may not open it).
bool is_corruption(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_ERROR:  // malformed schema, foreign tables
    case SQLITE_SCHEMA:
    case SQLITE_FORMAT:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string prepare_db_file(const std::string& path) {
  std::string err;
  {
    const UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return errno_text("cannot open " + path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      err = path + " is not a regular file";
    } else if ((st.st_mode & 077) != 0 && ::fchmod(fd.get(), 0600) != 0) {
      err = errno_text("cannot restrict " + path + " to mode 0600");
    }
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = path + suffix;
    const UniqueFd sfd(::open(side.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (!sfd) continue;  // absent (SQLite creates them with the db's mode)
    ::fchmod(sfd.get(), 0600);
  }
  return err;
}

std::string move_aside(const std::string& path) {
  for (int n = 1; n < 100; ++n) {
    std::string to = path + ".corrupt-" + std::to_string(n);
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0) continue;
    if (::rename(path.c_str(), to.c_str()) != 0) return "";
    for (const char* suffix : {"-wal", "-shm"}) {
      ::rename((path + suffix).c_str(), (to + suffix).c_str());
    }
    return to;
  }
  return "";
}

std::string SqliteStore::db_error(const std::string& what) const {
  return what + ": " + (db_ ? sqlite3_errmsg(db_.get()) : "out of memory");
}

bool SqliteStore::exec(const char* sql) {
  char* msg = nullptr;
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg);
  if (rc != SQLITE_OK && error_.empty()) {
    error_ = std::string(sql) + ": " + (msg ? msg : "error");
    corrupt_ = is_corruption(rc);
  }
  sqlite3_free(msg);
  return rc == SQLITE_OK;
}

StmtPtr SqliteStore::prepare(const char* sql) {
  sqlite3_stmt* st = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
  if (rc != SQLITE_OK && error_.empty()) {
    error_ = db_error(sql);
    corrupt_ = is_corruption(rc);
  }
  return StmtPtr(st);
}

SqliteStore::SqliteStore(const std::string& path, int max_events)
    : max_events_(std::max(1, max_events)), wal_path_(path + "-wal") {
  open(path);
}

void SqliteStore::open(const std::string& path) {
  if (!open_connection(path) || !check_integrity(path)) return;
  create_schema(path);
  prepare_statements();
  if (!error_.empty()) {
    // A table of the wrong shape (statements that do not prepare) is a bad
    // file too: it would open and answer nothing.
    insert_.reset(), set_meta_.reset(), trim_.reset(), query_.reset(), tail_.reset();
    db_.reset();
  }
}

bool SqliteStore::open_connection(const std::string& path) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    error_ = "cannot create " + parent.string() + ": " + ec.message();
    return false;
  }
  if (auto e = prepare_db_file(path); !e.empty()) {
    error_ = e;
    return false;
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  db_.reset(raw);  // closed even when open failed
  if (rc != SQLITE_OK) {
    error_ = db_error("cannot open " + path);
    db_.reset();
    return false;
  }
  sqlite3_extended_result_codes(db_.get(), 1);
  sqlite3_busy_timeout(db_.get(), 2000);
  // A corrupt or foreign file fails here ("file is not a database").
  sqlite3_stmt* jm = nullptr;
  if (const int jrc = sqlite3_prepare_v2(db_.get(), "PRAGMA journal_mode=WAL", -1, &jm, nullptr);
      jrc != SQLITE_OK) {
    error_ = db_error(path);
    corrupt_ = is_corruption(sqlite3_extended_errcode(db_.get()));
    db_.reset();
    return false;
  }
  StmtPtr jm_guard(jm);
  if (sqlite3_step(jm) != SQLITE_ROW || column_text(jm, 0) != "wal") {
    error_ = db_error(path + ": cannot enable WAL");
    jm_guard.reset();
    db_.reset();
    return false;
  }
  jm_guard.reset();
  return true;
}

void SqliteStore::create_schema(const std::string& path) {
  const bool ok =
      exec("PRAGMA synchronous=FULL") &&
      exec(("PRAGMA journal_size_limit=" + std::to_string(kJournalSizeLimit)).c_str()) &&
      exec(
          "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, time TEXT NOT NULL,"
          " severity TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL,"
          " data TEXT NOT NULL)") &&
      exec("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  if (ok) {
    auto ver = prepare("PRAGMA user_version");
    int version = 0;
    if (ver && sqlite3_step(ver.get()) == SQLITE_ROW) version = sqlite3_column_int(ver.get(), 0);
    if (version > kSchemaVersion)
      error_ = path + ": schema version " + std::to_string(version) + " is newer than this essd";
    else if (version < kSchemaVersion)
      exec("PRAGMA user_version=1");
  }
  // Continue numbering after the highest stored seq, or after the highest
  // ever assigned (meta.next_seq), whichever is later: events dropped before
  // a restart must not have their numbers reused.
  if (error_.empty()) {
    auto st = prepare(
        "SELECT max(coalesce((SELECT max(seq) FROM events), 0) + 1,"
        " coalesce((SELECT value FROM meta WHERE key='next_seq'), 1))");
    if (st && sqlite3_step(st.get()) == SQLITE_ROW)
      next_seq_ = static_cast<std::uint64_t>(sqlite3_column_int64(st.get(), 0));
    else if (error_.empty())
      error_ = db_error(path);
  }
}

void SqliteStore::prepare_statements() {
  insert_ =
      prepare("INSERT INTO events(seq, time, severity, kind, message, data) VALUES(?,?,?,?,?,?)");
  set_meta_ = prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('next_seq', ?)");
  trim_ = prepare("DELETE FROM events WHERE seq <= ?");
  query_ = prepare(
      "SELECT seq, time, severity, kind, message, data FROM events WHERE seq > ?"
      " ORDER BY seq LIMIT ?");
  tail_ = prepare(
      "SELECT seq, time, severity, kind, message, data FROM events ORDER BY seq DESC LIMIT ?");
}

bool SqliteStore::check_integrity(const std::string& path) {
  // quick_check reads every page once (a few ms for 100 000 events); it
  // finds malformed tables and indexes that opening alone does not.
  StmtPtr st = prepare("PRAGMA quick_check(1)");
  std::string verdict;
  if (st && sqlite3_step(st.get()) == SQLITE_ROW) verdict = column_text(st.get(), 0);
  if (verdict == "ok") return true;
  error_ = path + ": integrity check failed: " +
           (verdict.empty() ? std::string(sqlite3_errmsg(db_.get())) : verdict);
  corrupt_ = true;
  st.reset();
  db_.reset();
  return false;
}

std::int64_t SqliteStore::wal_bytes() const {
  struct stat st {};
  return ::stat(wal_path_.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

void SqliteStore::bound_wal() {
  // Automatic checkpoints (every 1000 pages) keep the WAL small unless a
  // reader pins it; beyond the bound, try once to checkpoint and truncate.
  if (wal_bytes() <= kWalBoundBytes) return;
  sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

SqliteStore::WriteResult SqliteStore::write(const std::vector<Record>& records,
                                            std::uint64_t next_seq) {
  WriteResult r;
  if (!db_) return r;
  auto fail = [&](const std::string& what) {
    r.error = db_error(what);
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return r;
  };
  if (sqlite3_exec(db_.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("begin");
  std::uint64_t last = 0;
  for (const auto& rec : records) {
    sqlite3_stmt* st = insert_.get();
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(rec.seq));
    bind_text(st, 2, rec.time);
    bind_text(st, 3, std::string(to_string(rec.severity)));
    bind_text(st, 4, rec.kind);
    bind_text(st, 5, rec.message);
    bind_text(st, 6, rec.data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (sqlite3_step(st) != SQLITE_DONE) return fail("insert");
    last = std::max(last, rec.seq);
  }
  sqlite3_reset(set_meta_.get());
  sqlite3_bind_int64(set_meta_.get(), 1, static_cast<sqlite3_int64>(next_seq));
  if (sqlite3_step(set_meta_.get()) != SQLITE_DONE) return fail("meta");
  if (last > static_cast<std::uint64_t>(max_events_)) {
    // Seqs are unique integers, so at most max_events rows remain.
    sqlite3_reset(trim_.get());
    sqlite3_bind_int64(trim_.get(), 1, static_cast<sqlite3_int64>(last - max_events_));
    if (sqlite3_step(trim_.get()) != SQLITE_DONE) return fail("trim");
    r.trimmed = sqlite3_changes(db_.get());
  }
  if (sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("commit");
  r.ok = true;
  bound_wal();
  return r;
}

std::vector<Record> SqliteStore::read_rows(sqlite3_stmt* st, std::string& error) {
  std::vector<Record> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    Record r;
    r.seq = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
    r.time = column_text(st, 1);
    r.severity = severity_from(column_text(st, 2));
    r.kind = column_text(st, 3);
    r.message = column_text(st, 4);
    r.data = nlohmann::json::parse(column_text(st, 5), nullptr, false);
    if (!r.data.is_object()) r.data = nlohmann::json::object();
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) error = db_error("query");
  sqlite3_reset(st);
  return out;
}

std::vector<Record> SqliteStore::query(std::uint64_t after, int limit, std::string& error) {
  if (!db_) return {};
  sqlite3_reset(query_.get());
  sqlite3_bind_int64(query_.get(), 1, static_cast<sqlite3_int64>(after));
  sqlite3_bind_int(query_.get(), 2, limit);
  return read_rows(query_.get(), error);
}

std::vector<Record> SqliteStore::tail(int limit, std::string& error) {
  if (!db_) return {};
  sqlite3_reset(tail_.get());
  sqlite3_bind_int(tail_.get(), 1, limit);
  auto rows = read_rows(tail_.get(), error);
  std::reverse(rows.begin(), rows.end());
  return rows;
}

}  // namespace essd::history::detail
