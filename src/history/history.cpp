// SPDX-License-Identifier: MIT
// History: sequence numbers on the loop thread, SQLite on one worker thread
// (a BlockingWorker: its queue bounds the writes, History the queries).
#include "history/history.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/post.hpp>

#include "essd/blocking_worker.hpp"
#include "history/sqlite_store.hpp"

namespace essd::history {
namespace {

using Clock = std::chrono::steady_clock;
using Done = std::function<void(std::vector<Record>, std::uint64_t, std::string)>;

constexpr int kMaxLimit = 1000;
constexpr std::size_t kMaxQueuedQueries = 256;
constexpr std::size_t kMemoryCap = 10000;  // records kept when the DB is unusable
constexpr std::size_t kSamples = 1024;     // latency samples for the p99 figures

std::int64_t us_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count();
}

}  // namespace

struct History::Impl {
  // The worker's jobs and figures are Impl's own types (not the file's
  // anonymous namespace): Impl has external linkage, and a unity build
  // (the asan preset) would see them as a header's.
  struct WriteJob {
    Record record;
    Clock::time_point queued_at;
  };
  struct QueryJob {
    std::uint64_t after = 0;
    int limit = 0;
    bool tail = false;
    Done done;
  };

  // Ring of recent samples; p99 over what it holds.
  class Samples {
   public:
    void add(std::int64_t v) {
      ring_[pos_++ % kSamples] = v;
      max_ = std::max(max_, v);
    }
    std::int64_t p99() const {
      const std::size_t n = std::min(pos_, kSamples);
      if (n == 0) return 0;
      std::vector<std::int64_t> v(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(n));
      const std::size_t k = (n * 99 + 99) / 100 - 1;  // nearest-rank
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
      return v[k];
    }
    std::int64_t max() const { return max_; }

   private:
    std::array<std::int64_t, kSamples> ring_{};
    std::size_t pos_ = 0;
    std::int64_t max_ = 0;
  };

  boost::asio::io_context& io;
  int max_events;
  std::optional<detail::SqliteStore> store;  // worker thread only, once started
  std::uint64_t next_seq = 1;                // loop thread only
  // Worker thread only: the batch's writes, committed in one transaction
  // after the batch or before a query (read-after-write).
  std::vector<WriteJob> pending;

  // Guards everything below. The queue is the worker's own: it counts the
  // queued writes and the drops (counters()).
  mutable std::mutex mu;
  std::size_t queued_queries = 0;
  std::deque<Record> memory;  // memory-only mode
  std::int64_t written = 0, write_errors = 0, batches = 0, trimmed = 0, queries = 0;
  Samples write_us, lag_us;
  std::string last_error;
  std::int64_t query_errors = 0, wal_bytes = 0, wal_max = 0;
  bool wal_over = false;
  std::vector<std::string> notes;

  std::atomic<std::uint64_t> seq_high_water{1};  // next_seq, published to the worker
  // Last member: started after everything else exists, stopped (after it
  // has run every queued job) before anything it uses is destroyed.
  std::optional<BlockingWorker> worker;

  Impl(boost::asio::io_context& i, int max) : io(i), max_events(max) {}

  void start_worker() {
    worker.emplace(BlockingWorker::Options{
        .name = "essd-history",
        .capacity = kMaxQueuedWrites,
        .at_exit = BlockingWorker::AtExit::run_queued,  // the destructor flushes
        .nice = 5,  // below the loop thread (the interlocks), above the reply renderer
        .after_batch =
            [this] {
              commit();
              check_wal();
            },
    });
  }

  void deliver(Done done, std::vector<Record> recs, std::uint64_t after, std::string error = {}) {
    const std::uint64_t next = recs.empty() ? after : recs.back().seq;
    boost::asio::post(io, [done = std::move(done), recs = std::move(recs), next,
                           error = std::move(error)]() mutable {
      done(std::move(recs), next, std::move(error));
    });
  }

  void check_wal() {
    const std::int64_t bytes = store->wal_bytes();
    std::lock_guard lock(mu);
    wal_bytes = bytes;
    wal_max = std::max(wal_max, bytes);
    const bool over = bytes > detail::SqliteStore::kWalBoundBytes;
    if (over && !wal_over) {
      notes.push_back("history write-ahead log is " + std::to_string(bytes >> 20) +
                      " MiB, beyond its bound of " +
                      std::to_string(detail::SqliteStore::kWalBoundBytes >> 20) +
                      " MiB, and a checkpoint could not truncate it");
    }
    wal_over = over;
  }

  void commit() {
    if (pending.empty()) return;
    std::vector<Record> recs;
    recs.reserve(pending.size());
    for (auto& w : pending) recs.push_back(std::move(w.record));
    const auto t0 = Clock::now();
    auto r = store->write(recs, seq_high_water.load());
    const auto took = us_since(t0);
    std::lock_guard lock(mu);
    ++batches;
    write_us.add(took);
    if (r.ok) {
      written += static_cast<std::int64_t>(recs.size());
      trimmed += r.trimmed;
      lag_us.add(
          us_since(pending.front().queued_at));  // the oldest write of the batch waited longest
    } else {
      write_errors += static_cast<std::int64_t>(recs.size());
      last_error = r.error;
    }
    pending.clear();
  }

  void run_query(QueryJob& q) {
    {
      std::lock_guard lock(mu);
      --queued_queries;
    }
    commit();  // the writes queued before the query first: it sees them
    std::string err;
    auto recs = q.tail ? store->tail(q.limit, err) : store->query(q.after, q.limit, err);
    {
      std::lock_guard lock(mu);
      if (!err.empty()) {
        last_error = err;
        ++query_errors;
      }
    }
    if (!err.empty()) recs.clear();  // a partial answer would look complete
    deliver(std::move(q.done), std::move(recs), q.tail ? 0 : q.after, err);
  }

  void post_query(QueryJob q) {
    worker->post_unbounded([this, q = std::move(q)]() mutable { run_query(q); });
  }
};

History::History(boost::asio::io_context& io, const std::string& path, int max_events)
    : io_(io), impl_(std::make_unique<Impl>(io, std::max(1, max_events))) {
  auto* s = &impl_->store.emplace(path, impl_->max_events);
  if (s->corrupt()) {
    // A bad file must not pass for an empty history: keep it for a human,
    // start a new one, and say so (docs/api.md events, kind history_corrupt).
    const std::string why = s->error();
    impl_->store.reset();
    const std::string aside = detail::move_aside(path);
    if (!aside.empty()) {
      recovery_note_ = "history " + path + " was corrupt (" + why + "); moved to " + aside +
                       ", a new one started";
      s = &impl_->store.emplace(path, impl_->max_events);
    } else {
      open_error_ = "history " + path + ": " + why + " (and it could not be moved aside)";
      return;
    }
  }
  if (!s->error().empty()) {
    open_error_ = "history " + path + ": " + s->error();
    impl_->store.reset();
    return;
  }
  impl_->next_seq = s->next_seq();
  impl_->seq_high_water = s->next_seq();
  impl_->start_worker();
}

// The worker (Impl's last member) runs every queued job, then joins.
History::~History() = default;

Record History::append(const Event& e, std::chrono::system_clock::time_point wall) {
  Record rec = make_record(impl_->next_seq++, e, wall);
  impl_->seq_high_water = impl_->next_seq;
  if (!persistent()) {
    std::lock_guard lock(impl_->mu);
    impl_->memory.push_back(rec);
    const std::size_t cap = std::min<std::size_t>(kMemoryCap, impl_->max_events);
    while (impl_->memory.size() > cap) impl_->memory.pop_front();
    return rec;
  }
  // The job is made (allocated) before the worker's lock is taken: the
  // worker never waits on us, and we hold its lock for a push only. A full
  // queue refuses it and counts the drop: never block the loop; the gap in
  // seq shows the loss.
  impl_->worker->post([impl = impl_.get(), job = Impl::WriteJob{rec, Clock::now()}]() mutable {
    impl->pending.push_back(std::move(job));
  });
  return rec;
}

void History::query(std::uint64_t after, int limit,
                    std::function<void(std::vector<Record>, std::uint64_t)> done) {
  query(after, limit,
        [done = std::move(done)](std::vector<Record> r, std::uint64_t next, const std::string&) {
          done(std::move(r), next);
        });
}

std::vector<std::string> History::take_notes() {
  std::lock_guard lock(impl_->mu);
  return std::exchange(impl_->notes, {});
}

void History::query(std::uint64_t after, int limit, Done done) {
  limit = std::clamp(limit, 1, kMaxLimit);
  // SQLite integers are signed; a huge `after` must mean "nothing newer".
  after = std::min<std::uint64_t>(after, std::numeric_limits<std::int64_t>::max());
  std::unique_lock lock(impl_->mu);
  ++impl_->queries;
  if (!persistent() || impl_->queued_queries >= kMaxQueuedQueries) {
    std::vector<Record> out;
    if (!persistent()) {
      for (const auto& r : impl_->memory) {
        if (r.seq <= after) continue;
        out.push_back(r);
        if (static_cast<int>(out.size()) >= limit) break;
      }
    }
    lock.unlock();
    impl_->deliver(std::move(done), std::move(out), after,
                   persistent() ? "history busy (too many queries queued); try again" : "");
    return;
  }
  ++impl_->queued_queries;
  lock.unlock();
  impl_->post_query(Impl::QueryJob{after, limit, false, std::move(done)});
}

void History::query_tail(int limit, std::function<void(std::vector<Record>, std::uint64_t)> done2) {
  Done done = [done2 = std::move(done2)](std::vector<Record> r, std::uint64_t next,
                                         const std::string&) { done2(std::move(r), next); };
  limit = std::clamp(limit, 1, kMaxLimit);
  std::unique_lock lock(impl_->mu);
  ++impl_->queries;
  if (!persistent() || impl_->queued_queries >= kMaxQueuedQueries) {
    std::vector<Record> out;
    if (!persistent()) {
      const auto n = std::min<std::size_t>(static_cast<std::size_t>(limit), impl_->memory.size());
      out.assign(impl_->memory.end() - static_cast<std::ptrdiff_t>(n), impl_->memory.end());
    }
    lock.unlock();
    impl_->deliver(std::move(done), std::move(out), 0);
    return;
  }
  ++impl_->queued_queries;
  lock.unlock();
  impl_->post_query(Impl::QueryJob{0, limit, true, std::move(done)});
}

void History::flush() {
  if (!persistent()) return;
  impl_->worker->drain();
}

std::map<std::string, std::int64_t> History::counters() const {
  // The worker's queue holds the writes only (queries are bounded here).
  const auto w = impl_->worker ? impl_->worker->stats() : BlockingWorker::Stats{};
  std::lock_guard lock(impl_->mu);
  const auto& i = *impl_;
  return {
      {"queued", static_cast<std::int64_t>(w.depth)},
      {"written", i.written},
      {"dropped", static_cast<std::int64_t>(w.rejected)},
      {"write_errors", i.write_errors},
      {"max_queue_depth", static_cast<std::int64_t>(w.high_water)},
      {"batches", i.batches},
      {"write_us_p99", i.write_us.p99()},
      {"write_us_max", i.write_us.max()},
      {"lag_us_p99", i.lag_us.p99()},
      {"trimmed", i.trimmed},
      {"queries", i.queries},
      {"persistent", persistent() ? 1 : 0},
      {"memory_events", static_cast<std::int64_t>(i.memory.size())},
      {"last_seq", static_cast<std::int64_t>(i.next_seq - 1)},
      {"query_errors", i.query_errors},
      {"wal_bytes", i.wal_bytes},
      {"wal_bytes_max", i.wal_max},
  };
}

}  // namespace essd::history
