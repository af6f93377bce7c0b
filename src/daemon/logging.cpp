// SPDX-License-Identifier: MIT
// spdlog to stderr, or to journald with structured fields under systemd.
#include "daemon/logging.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace essd::logging {
namespace {

constexpr const char* kJournalSocket = "/run/systemd/journal/socket";
constexpr int kMaxLinesPerWindow = 5;
constexpr MonoMs kWindowMs = 10'000;

std::atomic<bool> g_journal{false};
std::mutex g_limiter_mutex;  // log_event may be called from more than one thread
RateLimiter g_limiter(kMaxLinesPerWindow, kWindowMs);

MonoMs steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// sd_journal_sendv with "NAME=value" strings; false if journald is unreachable.
bool journal_send(const std::vector<std::string>& fields) {
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (const auto& f : fields)
    iov.push_back({const_cast<char*>(f.data()), f.size()});  // sendv does not write
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) == 0;
}

int spdlog_priority(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
}

spdlog::level::level_enum spdlog_level(Severity s) {
  switch (s) {
    case Severity::info:
      return spdlog::level::info;
    case Severity::warning:
      return spdlog::level::warn;
    case Severity::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// General (non-event) log lines to journald; falls back to stderr if the
// journal socket is unreachable so that no line is lost silently.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::vector<std::string> f;
    f.push_back("MESSAGE=" + std::string(msg.payload.data(), msg.payload.size()));
    f.push_back("PRIORITY=" + std::to_string(spdlog_priority(msg.level)));
    f.emplace_back("SYSLOG_IDENTIFIER=essd");
    if (!journal_send(f)) std::fprintf(stderr, "%s\n", f.front().c_str() + 8);
  }
  void flush_() override {}
};

// systemd documents JOURNAL_STREAM as "device:inode" of the stream it
// connected to our stderr; compare so that a redirected stderr (e.g.
// `essd --check-config 2>file` from a unit) is not mistaken for the journal.
bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (!js || !*js) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

std::string stderr_line(const Event& e) {
  std::string s = "[" + e.kind + "] " + e.message;
  std::string extra;
  if (e.module >= 0) extra += "module=" + std::to_string(e.module);
  if (!e.cause.empty()) extra += (extra.empty() ? "" : " ") + std::string("cause=") + e.cause;
  if (!e.path.empty()) extra += (extra.empty() ? "" : " ") + std::string("path=") + e.path;
  if (!extra.empty()) s += " (" + extra + ")";
  return s;
}

void emit(const Event& e) {
  if (g_journal.load() && journal_send(journal_fields(e))) return;
  spdlog::log(spdlog_level(e.severity), "{}", stderr_line(e));
}

Event summary_event(const std::string& key, int suppressed) {
  Event s;
  s.severity = Severity::warning;
  s.kind = "log_suppressed";
  s.cause = key;
  s.message = "suppressed " + std::to_string(suppressed) + " log lines for " + key + " in " +
              std::to_string(kWindowMs / 1000) + " s";
  return s;
}

// kind + cause (+ module): a flapping module 3 must not hide module 5's loss.
std::string limiter_key(const Event& e) {
  std::string key = e.kind;
  if (!e.cause.empty()) key += "/" + e.cause;
  if (e.module >= 0) key += "/module:" + std::to_string(e.module);
  return key;
}

}  // namespace

int journal_priority(Severity s) {
  switch (s) {
    case Severity::info:
      return LOG_INFO;
    case Severity::warning:
      return LOG_WARNING;
    case Severity::error:
      return LOG_ERR;
  }
  return LOG_INFO;
}

std::vector<std::string> journal_fields(const Event& e) {
  std::vector<std::string> f;
  // The module in the text too: `journalctl -u essd` shows MESSAGE only, and
  // "module connected" twice in one second says nothing about which.
  std::string message = e.message;
  if (e.module >= 0) message += " (module " + std::to_string(e.module) + ")";
  f.push_back("MESSAGE=" + message);
  f.push_back("PRIORITY=" + std::to_string(journal_priority(e.severity)));
  f.emplace_back("SYSLOG_IDENTIFIER=essd");
  f.push_back("ESSD_EVENT=" + e.kind);
  if (e.module >= 0) f.push_back("ESSD_MODULE=" + std::to_string(e.module));
  if (!e.cause.empty()) f.push_back("ESSD_CAUSE=" + e.cause);
  if (!e.path.empty()) f.push_back("ESSD_PATH=" + e.path);
  return f;
}

void init_logging(bool force_journal) {
  const char* ns = std::getenv("NOTIFY_SOCKET");
  // libsystemd drops entries silently when journald is not running (ENOENT),
  // so only choose the journal when its socket exists; else stderr.
  const bool journal =
      (force_journal || stderr_is_journal() || (ns && *ns)) && access(kJournalSocket, W_OK) == 0;
  g_journal = journal;
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (journal)
    sink = std::make_shared<JournalSink>();
  else
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("essd", std::move(sink));
  // journald stamps time and identifier itself; stderr gets a timestamp.
  logger->set_pattern(journal ? "%v" : "%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_level(spdlog::level::info);
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug etc.
}

bool journal_active() {
  return g_journal.load();
}

void log_event(const Event& e) {
  RateLimiter::Verdict v;
  const std::string key = limiter_key(e);
  {
    std::lock_guard lock(g_limiter_mutex);
    v = g_limiter.allow(key, steady_ms());
  }
  if (v.suppressed_before > 0) emit(summary_event(key, v.suppressed_before));
  if (v.emit) emit(e);
}

std::vector<Event> log_housekeeping() {
  std::vector<RateLimiter::Summary> ended;
  {
    std::lock_guard lock(g_limiter_mutex);
    ended = g_limiter.expire(steady_ms());
  }
  std::vector<Event> out;
  out.reserve(ended.size());
  for (const auto& s : ended) out.push_back(summary_event(s.key, s.suppressed));
  return out;  // the caller logs (log_event) and stores them, like any event
}

}  // namespace essd::logging
