// SPDX-License-Identifier: MIT
// The heatsink read off the loop: a fake sensor that blocks until the test
// opens its gate, and a virtual clock. read_c() must answer while the sensor
// is stuck, and an error or a reading older than 1 s must read as nullopt
// (a trip).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "hal/sensors/async_temperature.hpp"

namespace essd::hal {
namespace {

using namespace std::chrono_literals;

/// What the test and the fake share (the fake may outlive the wrapper).
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int passes = 0;  // reads allowed to complete
  int entered = 0;
  int finished = 0;
  bool destroyed = false;
  std::optional<double> next = 40.0;

  bool wait_for(const std::function<bool()>& pred) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, 5s, pred);
  }
  void allow(int n = 1) {
    std::lock_guard lk(mu);
    passes += n;
    cv.notify_all();
  }
};

class BlockingSensor final : public TemperatureSensor {
 public:
  explicit BlockingSensor(std::shared_ptr<Gate> g) : gate_(std::move(g)) {}
  ~BlockingSensor() override {
    std::lock_guard lk(gate_->mu);
    gate_->destroyed = true;
    gate_->cv.notify_all();
  }
  std::optional<double> read_c() override {
    std::unique_lock lk(gate_->mu);
    ++gate_->entered;
    gate_->cv.notify_all();
    gate_->cv.wait(lk, [this] { return gate_->passes > 0; });
    --gate_->passes;
    ++gate_->finished;
    gate_->cv.notify_all();
    return gate_->next;
  }
  std::string describe() const override { return "blocking fake"; }

 private:
  std::shared_ptr<Gate> gate_;
};

struct Rig {
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::atomic<MonoMs> now{10'000};
  std::unique_ptr<AsyncTemperatureSensor> s = std::make_unique<AsyncTemperatureSensor>(
      std::make_unique<BlockingSensor>(gate), 1000, [this] { return now.load(); });

  /// One read through: ask, let it complete, wait until it is in.
  void complete_one() {
    const int before = finished();
    s->read_c();
    gate->allow();
    ASSERT_TRUE(gate->wait_for([&] { return gate->finished > before; }));
    // The result is stored just after the fake returns: wait for the count.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (s->stats().reads < static_cast<std::uint64_t>(before + 1)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline);
      std::this_thread::yield();
    }
  }
  int finished() {
    std::lock_guard lk(gate->mu);
    return gate->finished;
  }
};

TEST(AsyncTemperature, NoReadingYetIsATrip) {
  Rig r;
  EXPECT_EQ(r.s->read_c(), std::nullopt);
  r.gate->allow();
}

TEST(AsyncTemperature, GivesTheNewestFreshReading) {
  Rig r;
  r.complete_one();
  EXPECT_EQ(r.s->read_c(), 40.0);
  r.gate->allow();  // the read just asked for
}

TEST(AsyncTemperature, AnswersAtOnceWhileTheSensorIsStuck) {
  Rig r;
  r.complete_one();
  r.s->read_c();  // asks for the next read, which now blocks
  ASSERT_TRUE(r.gate->wait_for([&] { return r.gate->entered == 2; }));
  // The sensor is inside its read and will stay there: every call returns.
  for (int i = 0; i < 50; ++i) EXPECT_EQ(r.s->read_c(), 40.0);
  EXPECT_EQ(r.gate->entered, 2) << "one read at a time: the queue is one deep";
  EXPECT_EQ(r.s->stats().busy_skips, 50u);
  r.gate->allow();
}

TEST(AsyncTemperature, AReadingOlderThanOneSecondIsATrip) {
  Rig r;
  r.complete_one();  // taken at 10 000
  r.s->read_c();     // the next read gets stuck
  ASSERT_TRUE(r.gate->wait_for([&] { return r.gate->entered == 2; }));
  r.now = 11'000;
  EXPECT_EQ(r.s->read_c(), 40.0) << "exactly 1 s old: still good";
  r.now = 11'001;
  EXPECT_EQ(r.s->read_c(), std::nullopt);
  EXPECT_EQ(r.s->stats().stale, 1u);
  // The stuck read comes back: its age counts from its start (10 000).
  r.gate->allow();
  ASSERT_TRUE(r.gate->wait_for([&] { return r.gate->finished == 2; }));
  while (r.s->stats().reads < 2) std::this_thread::yield();
  EXPECT_EQ(r.s->read_c(), std::nullopt) << "a read that took over 1 s is old";
  r.gate->allow();
}

TEST(AsyncTemperature, AnErrorIsATrip) {
  Rig r;
  r.complete_one();
  r.gate->next = std::nullopt;
  r.complete_one();
  EXPECT_EQ(r.s->read_c(), std::nullopt);
  EXPECT_EQ(r.s->stats().read_errors, 1u);
  r.gate->next = 41.5;
  r.complete_one();
  EXPECT_EQ(r.s->read_c(), 41.5);
  r.gate->allow();
}

TEST(AsyncTemperature, DestructionDoesNotWaitForAStuckRead) {
  Rig r;
  r.s->read_c();
  ASSERT_TRUE(r.gate->wait_for([&] { return r.gate->entered == 1; }));
  r.s.reset();  // returns although the sensor is stuck
  EXPECT_FALSE(r.gate->destroyed);
  r.gate->allow();  // the bus gives up: the worker finishes and frees the sensor
  EXPECT_TRUE(r.gate->wait_for([&] { return r.gate->destroyed; }));
}

}  // namespace
}  // namespace essd::hal
