// SPDX-License-Identifier: MIT
#pragma once
// The one worker thread for work that may block (SQLite, fsync, a file's
// writes, a sensor read): the loop hands it jobs and never waits for them.
//
//   BlockingWorker worker_{"essd-history", 4096};   // the owner's last member
//   if (!worker_.post([this, rec] { store(rec); })) ++dropped_;
//
// post() never blocks: with `capacity` jobs already waiting it refuses the
// job and counts a rejection. post_latest() keeps one job per slot, the
// newest (a saver: only the last state matters); a slot job may ask to be
// run again after a delay (a failed write), which a newer job in its slot
// cancels. Jobs run one at a time, in the order they were queued (a
// replaced slot job keeps its place). The worker takes everything queued
// as one batch, runs it and then `after_batch` (a transaction's commit, one
// write() for many lines).
//
// A job runs on the worker thread and must not touch loop state: results
// go back with boost::asio::post to a handler guarded on the loop thread
// (essd/lifetime.hpp). A job that throws does not end the thread: the
// exception is caught and counted (Stats::threw; this header cannot log, so
// the owner reports the count). The owner declares its worker last, so that
// the worker is stopped before anything its jobs use is destroyed.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace essd {

class BlockingWorker {
 public:
  using Job = std::function<void()>;
  /// A slot job's answer: run me again after this delay, or nullopt (done).
  using RetryAfter = std::optional<std::chrono::milliseconds>;
  using SlotJob = std::function<RetryAfter()>;
  static constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

  /// What the destructor does with work that has not run yet.
  enum class AtExit : std::uint8_t {
    run_queued,   // run every queued job (a slot job: one attempt), then join
    drop_queued,  // drop what has not started, join
    // Drop what has not started; a job still running (a read stuck on a
    // bus) is left to finish on the detached thread, so stopping never
    // hangs. Its jobs must own what they use; after_batch is not run then.
    abandon_busy,
  };

  struct Options {
    std::string name = {};  // the thread's name (ps, top): at most 15 characters
    std::size_t capacity = kUnbounded;
    AtExit at_exit = AtExit::run_queued;
    int nice = 0;  // > 0: below the loop thread under CPU contention
    // > 0: post_lazy() does not wake the worker; it runs what is queued at
    // least this often (and when the queue is half full).
    std::chrono::milliseconds wake_period{0};
    Job after_batch = {};  // on the worker, after each batch of jobs
  };

  struct Stats {
    std::uint64_t posted = 0;    // jobs accepted
    std::uint64_t done = 0;      // jobs run (a retry counts again)
    std::uint64_t rejected = 0;  // post() with the queue full
    std::uint64_t replaced = 0;  // slot jobs replaced by a newer one before they ran
    std::uint64_t threw = 0;     // jobs (and after_batch calls) that threw
    std::size_t depth = 0;       // jobs waiting that count against the capacity
    std::size_t high_water = 0;  // the largest depth seen
  };

  BlockingWorker(std::string name, std::size_t capacity)
      : BlockingWorker(Options{std::move(name), capacity}) {}
  explicit BlockingWorker(Options options) : s_(std::make_shared<State>(std::move(options))) {
    thread_ = std::thread([s = s_] { run(*s); });
  }
  ~BlockingWorker() { stop(); }
  BlockingWorker(const BlockingWorker&) = delete;
  BlockingWorker& operator=(const BlockingWorker&) = delete;

  /// Queues `job` and wakes the worker; false (and a rejection counted)
  /// when `capacity` jobs already wait. Never blocks.
  bool post(Job job) { return push(std::move(job), true); }
  /// As post(), without waking the worker (see Options::wake_period): for a
  /// stream of small jobs, where a wake-up per job would cost a syscall each.
  bool post_lazy(Job job) { return push(std::move(job), s_->opt.wake_period.count() <= 0); }
  /// A rare job that must not be lost (start, stop, sync): never refused and
  /// not counted against the capacity.
  void post_unbounded(Job job) {
    {
      std::lock_guard lk(s_->mu);
      s_->queue.push_back(Entry{std::move(job), {}, std::nullopt, false});
      ++s_->stats.posted;
      s_->wake = true;
    }
    s_->cv.notify_all();
  }
  /// The newest job of `slot`: replaces one of that slot still waiting (in
  /// its place) and cancels a retry the slot's last job asked for. Never
  /// refused (a slot holds one job) and not counted against the capacity.
  void post_latest(std::size_t slot, SlotJob job) {
    SlotJob old;  // destroyed after the lock is released
    {
      std::lock_guard lk(s_->mu);
      s_->retries.erase(slot);
      ++s_->stats.posted;
      s_->wake = true;
      if (Entry* e = s_->queued_in(slot)) {
        old = std::exchange(e->slot_job, std::move(job));
        ++s_->stats.replaced;
      } else {
        s_->queue.push_back(Entry{{}, std::move(job), slot, false});
      }
    }
    s_->cv.notify_all();
  }

  /// Blocks until nothing is queued and no job runs (a retry that waits for
  /// its delay does not count). Not from a job: the worker would wait on itself.
  void drain() {
    std::unique_lock lk(s_->mu);
    s_->wake = true;
    s_->cv.notify_all();
    s_->idle_cv.wait(lk, [this] { return s_->queue.empty() && !s_->busy; });
  }

  Stats stats() const {
    std::lock_guard lk(s_->mu);
    return s_->stats;
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Job job;                          // a plain job, or
    SlotJob slot_job;                 // the job of
    std::optional<std::size_t> slot;  // this slot
    bool counted = false;             // counts against the capacity
  };
  struct Retry {
    SlotJob job;
    Clock::time_point due;
  };
  // Everything the thread touches: shared with it, so that a thread left
  // running (AtExit::abandon_busy) never touches a destroyed object.
  struct State {
    explicit State(Options o) : opt(std::move(o)) {}
    const Options opt;
    std::mutex mu;
    std::condition_variable cv, idle_cv;
    std::deque<Entry> queue;
    std::deque<Entry> batch;  // taken from the queue, not yet run (worker)
    std::map<std::size_t, Retry> retries;
    bool wake = false, busy = false, quit = false;
    Stats stats;

    // The job of `slot` that has not started yet, if any (a batch taken
    // but not finished counts: its jobs have not run either).
    Entry* queued_in(std::size_t slot) {
      for (auto* q : {&batch, &queue})
        for (auto& e : *q)
          if (e.slot == slot) return &e;
      return nullptr;
    }
    bool dropping() const { return quit && opt.at_exit != AtExit::run_queued; }
  };

  bool push(Job job, bool wake) {
    State& s = *s_;
    {
      std::lock_guard lk(s.mu);
      if (s.stats.depth >= s.opt.capacity) {
        ++s.stats.rejected;
        return false;
      }
      s.queue.push_back(Entry{std::move(job), {}, std::nullopt, true});
      ++s.stats.posted;
      s.stats.high_water = std::max(s.stats.high_water, ++s.stats.depth);
      // A lazy job hurries the worker only once the queue is half full.
      s.wake = s.wake || wake || s.stats.depth == std::max<std::size_t>(1, s.opt.capacity / 2);
      if (!s.wake) return true;
    }
    s.cv.notify_all();
    return true;
  }

  void stop() noexcept {
    bool detach = false;
    {
      std::deque<Entry> dropped;  // destroyed on the owner's thread, without the lock
      {
        std::lock_guard lk(s_->mu);
        s_->quit = true;
        if (s_->opt.at_exit != AtExit::run_queued) dropped.swap(s_->queue);
        detach = s_->opt.at_exit == AtExit::abandon_busy && s_->busy;
      }
      s_->cv.notify_all();
    }
    if (detach) {
      thread_.detach();  // it holds its own share of the state
      return;
    }
    thread_.join();
    s_->batch.clear();  // what a dropping worker left (the thread is gone)
  }

  static void start(const Options& opt) {
    if (!opt.name.empty()) ::pthread_setname_np(::pthread_self(), opt.name.substr(0, 15).c_str());
    // Raising one's own nice value needs no privilege; failure is harmless.
    if (opt.nice > 0) ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), opt.nice);
  }

  static void run(State& s) {
    start(s.opt);
    std::unique_lock lk(s.mu);
    for (;;) {
      wait_for_work(s, lk);
      if (s.quit && (s.dropping() || s.queue.empty())) return;
      run_batch(s, lk);
    }
  }

  // Returns with the lock held when there is a batch to run or it is time to quit.
  static void wait_for_work(State& s, std::unique_lock<std::mutex>& lk) {
    for (;;) {
      if (!s.quit) promote_due(s, Clock::now());
      if (s.quit || (s.wake && !s.queue.empty())) return;
      if (s.queue.empty()) s.wake = false;
      std::optional<Clock::time_point> until;
      if (s.opt.wake_period.count() > 0) until = Clock::now() + s.opt.wake_period;
      for (const auto& [slot, r] : s.retries) until = until ? std::min(*until, r.due) : r.due;
      if (!until) {
        s.cv.wait(lk);
      } else if (s.cv.wait_until(lk, *until) == std::cv_status::timeout) {
        s.wake = true;  // the period ended (lazy jobs) or a retry is due
      }
    }
  }

  // A due retry joins the queue, unless its slot has a newer job waiting.
  static void promote_due(State& s, Clock::time_point now) {
    for (auto it = s.retries.begin(); it != s.retries.end();) {
      if (it->second.due > now) {
        ++it;
        continue;
      }
      if (!s.queued_in(it->first)) {
        s.queue.push_back(Entry{{}, std::move(it->second.job), it->first, false});
        s.wake = true;
      }
      it = s.retries.erase(it);
    }
  }

  static void run_batch(State& s, std::unique_lock<std::mutex>& lk) {
    s.batch.swap(s.queue);
    s.stats.depth = 0;
    s.wake = false;
    s.busy = true;
    while (!s.batch.empty() && !s.dropping()) {
      Entry e = std::move(s.batch.front());
      s.batch.pop_front();
      lk.unlock();
      bool threw = false;
      const RetryAfter again = run_one(e, threw);
      if (!again) e = Entry{};  // the job's captures are freed without the lock
      lk.lock();
      ++s.stats.done;
      s.stats.threw += threw ? 1 : 0;
      // Retried unless a newer job of its slot came during the attempt, or
      // the worker is stopping (the attempt was the one the destructor promised).
      if (again && !s.quit && !s.queued_in(*e.slot)) {
        s.retries[*e.slot] = Retry{std::move(e.slot_job), Clock::now() + *again};
      }
    }
    if (s.opt.after_batch && !s.dropping()) {
      lk.unlock();
      bool threw = false;
      call(s.opt.after_batch, threw);
      lk.lock();
      s.stats.threw += threw ? 1 : 0;
    }
    s.busy = false;
    s.idle_cv.notify_all();
  }

  static RetryAfter run_one(Entry& e, bool& threw) noexcept {
    if (!e.slot) {
      call(e.job, threw);
      return std::nullopt;
    }
    try {
      return e.slot_job ? e.slot_job() : RetryAfter{};
    } catch (...) {
      threw = true;  // counted; a slot job that threw is not retried
      return std::nullopt;
    }
  }
  static void call(const Job& job, bool& threw) noexcept {
    try {
      if (job) job();
    } catch (...) {
      threw = true;  // counted: the owner reports Stats::threw
    }
  }

  std::shared_ptr<State> s_;
  std::thread thread_;
};

}  // namespace essd
