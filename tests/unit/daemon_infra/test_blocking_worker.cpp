// SPDX-License-Identifier: MIT
// essd::BlockingWorker (include/essd/blocking_worker.hpp): order, capacity,
// newest-only slots and their retries, drain, the destructor's three ways
// of ending, a throwing job. Synchronised with promises and condition
// variables only: no sleep decides an outcome.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "essd/blocking_worker.hpp"

namespace essd {
namespace {

using namespace std::chrono_literals;
using Worker = BlockingWorker;

/// Holds the worker inside a job until open(): what is posted meanwhile waits.
struct Gate {
  std::promise<void> entered, opened;
  std::shared_future<void> open_future = opened.get_future().share();
  Worker::Job job() {
    return [this, f = open_future] {
      entered.set_value();
      f.wait();
    };
  }
  void wait_entered() { entered.get_future().wait(); }
  void open() { opened.set_value(); }
};

/// A log the worker writes and the test waits on.
struct Log {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> items;
  void add(std::string s) {
    std::lock_guard lk(mu);
    items.push_back(std::move(s));
    cv.notify_all();
  }
  bool wait_size(std::size_t n) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, 10s, [&] { return items.size() >= n; });
  }
  std::vector<std::string> get() {
    std::lock_guard lk(mu);
    return items;
  }
};

/// Fulfils a promise when destroyed: tells when a job's captures are freed.
class OnDestroy {
 public:
  explicit OnDestroy(std::promise<void>& p) : p_(&p) {}
  OnDestroy(OnDestroy&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  OnDestroy(const OnDestroy&) = delete;
  ~OnDestroy() {
    if (p_) p_->set_value();
  }

 private:
  std::promise<void>* p_;
};

TEST(BlockingWorker, RunsJobsInOrderOnItsNamedThread) {
  Log log;
  std::string name;
  {
    Worker w("essd-test-name", 1000);
    w.post([&] {
      char buf[16] = {};
      ::pthread_getname_np(::pthread_self(), buf, sizeof buf);
      name = buf;
    });
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(w.post([&log, i] { log.add(std::to_string(i)); }));
    w.drain();
    EXPECT_EQ(w.stats().done, 101u);
    EXPECT_EQ(w.stats().depth, 0u);
  }
  EXPECT_EQ(name, "essd-test-name");
  const auto items = log.get();
  ASSERT_EQ(items.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(items[i], std::to_string(i));
}

TEST(BlockingWorker, RefusesAndCountsWhatExceedsTheCapacity) {
  Gate gate;
  std::atomic<int> ran{0};
  Worker w("essd-test", 2);
  ASSERT_TRUE(w.post(gate.job()));
  gate.wait_entered();  // the running job no longer counts
  EXPECT_TRUE(w.post([&] { ++ran; }));
  EXPECT_TRUE(w.post([&] { ++ran; }));
  EXPECT_FALSE(w.post([&] { ++ran; })) << "two already wait: refused, never blocks";
  w.post_unbounded([&] { ++ran; });  // a control job is never refused
  auto s = w.stats();
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.depth, 2u);
  EXPECT_EQ(s.high_water, 2u);
  gate.open();
  w.drain();
  EXPECT_EQ(ran, 3);
  s = w.stats();
  EXPECT_EQ(s.posted, 4u);
  EXPECT_EQ(s.done, 4u);
  EXPECT_EQ(s.depth, 0u);
}

TEST(BlockingWorker, ASlotKeepsOnlyItsNewestJobInItsPlace) {
  Gate gate;
  Log log;
  Worker w("essd-test", Worker::kUnbounded);
  w.post(gate.job());
  gate.wait_entered();
  auto logs = [&log](const std::string& s) {
    return [&log, s]() -> Worker::RetryAfter {
      log.add(s);
      return std::nullopt;
    };
  };
  w.post_latest(0, logs("a1"));
  w.post([&] { log.add("plain"); });
  w.post_latest(0, logs("a2"));
  w.post_latest(1, logs("b1"));
  w.post_latest(0, logs("a3"));
  EXPECT_EQ(w.stats().replaced, 2u);
  gate.open();
  w.drain();
  EXPECT_EQ(log.get(), (std::vector<std::string>{"a3", "plain", "b1"}));
}

TEST(BlockingWorker, AFailedSlotJobIsRetriedUntilItSucceeds) {
  std::atomic<int> attempts{0};
  Log log;
  {
    Worker w("essd-test", 1);
    w.post_latest(0, [&]() -> Worker::RetryAfter {
      const int n = ++attempts;
      log.add(std::to_string(n));
      if (n < 3) return 1ms;  // fails twice
      return std::nullopt;
    });
    ASSERT_TRUE(log.wait_size(3));
    w.drain();
  }
  EXPECT_EQ(attempts, 3) << "no attempt after the success";
}

TEST(BlockingWorker, ANewerSlotJobReplacesARetryAtOnce) {
  Log log;
  bool old_after_new = false;
  std::atomic<bool> new_ran{false};
  Worker w("essd-test", 1);
  w.post_latest(0, [&]() -> Worker::RetryAfter {
    if (new_ran) old_after_new = true;
    log.add("old");
    return std::chrono::hours(1);  // would wait an hour
  });
  ASSERT_TRUE(log.wait_size(1));
  w.post_latest(0, [&]() -> Worker::RetryAfter {
    new_ran = true;
    log.add("new");
    return std::nullopt;
  });
  ASSERT_TRUE(log.wait_size(2)) << "the newer job does not wait for the retry";
  w.drain();
  EXPECT_EQ(log.get(), (std::vector<std::string>{"old", "new"}));
  EXPECT_FALSE(old_after_new);
}

TEST(BlockingWorker, AFailingSlotJobKeepsRetryingUntilReplaced) {
  Log log;
  std::atomic<bool> new_ran{false};
  std::atomic<bool> old_after_new{false};
  {
    Worker w("essd-test", 1);
    w.post_latest(0, [&]() -> Worker::RetryAfter {
      if (new_ran) old_after_new = true;
      log.add("old");
      return 1ms;  // never succeeds
    });
    ASSERT_TRUE(log.wait_size(3));  // tried, retried, retried
    w.post_latest(0, [&]() -> Worker::RetryAfter {
      new_ran = true;
      return std::nullopt;
    });
    w.drain();
    EXPECT_TRUE(new_ran);
  }
  EXPECT_FALSE(old_after_new) << "the replaced job is not retried";
}

TEST(BlockingWorker, DrainDoesNotWaitForARetryDelay) {
  std::atomic<int> attempts{0};
  Worker w("essd-test", 1);
  w.post_latest(0, [&]() -> Worker::RetryAfter {
    ++attempts;
    return std::chrono::hours(1);
  });
  w.drain();  // returns after the attempt, not an hour later
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(w.stats().done, 1u);
}

TEST(BlockingWorker, TheDestructorRunsWhatIsQueuedThenJoins) {
  Gate gate;
  std::atomic<int> ran{0};
  std::atomic<int> attempts{0};
  {
    Worker w("essd-test", 100);
    w.post(gate.job());
    gate.wait_entered();
    for (int i = 0; i < 5; ++i) w.post([&] { ++ran; });
    w.post_latest(0, [&]() -> Worker::RetryAfter {
      ++attempts;
      return std::chrono::hours(1);  // fails: the destructor promises one attempt only
    });
    gate.open();
  }
  EXPECT_EQ(ran, 5);
  EXPECT_EQ(attempts, 1);
}

TEST(BlockingWorker, DropQueuedDropsWhatHasNotStarted) {
  std::promise<void> dropped;
  std::shared_future<void> dropped_future = dropped.get_future().share();
  std::promise<void> entered;
  std::atomic<bool> ran{false};
  {
    Worker w(Worker::Options{.name = "essd-test", .at_exit = Worker::AtExit::drop_queued});
    // The running job finishes only once the destructor has dropped the
    // queued one (its captures are destroyed), so the queued one cannot run.
    w.post([&entered, dropped_future] {
      entered.set_value();
      dropped_future.wait();
    });
    entered.get_future().wait();
    w.post([&ran, d = std::make_shared<OnDestroy>(dropped)] { ran = true; });
  }
  EXPECT_FALSE(ran);
}

TEST(BlockingWorker, AbandonBusyLeavesAStuckJobToFinishAlone) {
  auto gate = std::make_shared<Gate>();
  std::promise<void> freed;
  auto freed_future = freed.get_future();
  {
    Worker w(Worker::Options{.name = "essd-test", .at_exit = Worker::AtExit::abandon_busy});
    w.post([gate, d = std::make_shared<OnDestroy>(freed)] {
      gate->entered.set_value();
      gate->open_future.wait();
    });
    gate->entered.get_future().wait();  // the gate job sets `entered` first
  }                                     // returns although the job is stuck
  EXPECT_EQ(freed_future.wait_for(0s), std::future_status::timeout);
  gate->open();
  EXPECT_EQ(freed_future.wait_for(10s), std::future_status::ready);
}

TEST(BlockingWorker, AThrowingJobIsCountedAndTheThreadGoesOn) {
  std::atomic<int> ran{0};
  Worker w("essd-test", 10);
  w.post([] { throw std::runtime_error("boom"); });
  w.post_latest(0, []() -> Worker::RetryAfter { throw 1; });
  w.post([&] { ++ran; });
  w.drain();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(w.stats().threw, 2u);
  EXPECT_EQ(w.stats().done, 3u);
}

TEST(BlockingWorker, AfterBatchRunsAfterEachBatch) {
  Log log;
  Gate gate;
  Worker w(Worker::Options{.name = "essd-test", .after_batch = [&] { log.add("B"); }});
  w.post([&] {
    log.add("g");
    gate.job()();
  });
  gate.wait_entered();
  for (int i = 0; i < 3; ++i) w.post([&] { log.add("j"); });
  gate.open();
  w.drain();
  EXPECT_EQ(log.get(), (std::vector<std::string>{"g", "B", "j", "j", "j", "B"}));
}

TEST(BlockingWorker, LazyJobsWaitForAHalfFullQueueOrADrain) {
  Log log;
  Worker w(
      Worker::Options{.name = "essd-test", .capacity = 4, .wake_period = std::chrono::hours(1)});
  EXPECT_TRUE(w.post_lazy([&] { log.add("1"); }));
  EXPECT_TRUE(w.post_lazy([&] { log.add("2"); }));  // half full: wakes the worker
  ASSERT_TRUE(log.wait_size(2));
  EXPECT_TRUE(w.post_lazy([&] { log.add("3"); }));
  w.drain();  // wakes it too
  EXPECT_EQ(log.get(), (std::vector<std::string>{"1", "2", "3"}));
}

}  // namespace
}  // namespace essd
