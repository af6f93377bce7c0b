// SPDX-License-Identifier: MIT
#include "hal/sensors/async_temperature.hpp"

#include <chrono>

namespace essd::hal {
namespace {

MonoMs steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// Everything the worker touches lives here, owned jointly, so a worker left
// behind in a stuck read never touches a destroyed object.
struct AsyncTemperatureSensor::Shared {
  std::unique_ptr<TemperatureSensor> sensor;
  Clock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool requested = false;
  bool reading = false;
  bool quit = false;
  std::optional<double> value;  // newest reading (nullopt: it failed)
  MonoMs taken_ms = -1;         // when that reading was started
  Stats stats;

  void run() {
    std::unique_lock lk(mu);
    for (;;) {
      cv.wait(lk, [this] { return quit || requested; });
      if (quit) return;
      requested = false;
      reading = true;
      lk.unlock();
      // Age counts from the start of the read: a read that took long is old.
      const MonoMs started = clock();
      const std::optional<double> v = sensor->read_c();
      lk.lock();
      reading = false;
      value = v;
      taken_ms = started;
      ++stats.reads;
      if (!v) ++stats.read_errors;
      stats.last_read_ms = started;
    }
  }
};

AsyncTemperatureSensor::AsyncTemperatureSensor(std::unique_ptr<TemperatureSensor> sensor,
                                               MonoMs max_age_ms, Clock clock)
    : shared_(std::make_shared<Shared>()), max_age_(max_age_ms) {
  describe_ = sensor->describe() + " (worker thread)";
  shared_->sensor = std::move(sensor);
  shared_->clock = clock ? std::move(clock) : Clock(steady_ms);
  worker_ = std::thread([s = shared_] { s->run(); });
}

AsyncTemperatureSensor::~AsyncTemperatureSensor() {
  bool stuck = false;
  {
    std::lock_guard lk(shared_->mu);
    shared_->quit = true;
    stuck = shared_->reading;
  }
  shared_->cv.notify_all();
  // A read stuck on the bus ends when the adapter gives up; it must not
  // hold the daemon's stop. The thread owns `shared_` through its copy.
  if (stuck) {
    worker_.detach();
  } else {
    worker_.join();
  }
}

std::optional<double> AsyncTemperatureSensor::read_c() {
  std::lock_guard lk(shared_->mu);
  Shared& s = *shared_;
  if (s.reading || s.requested) {
    ++s.stats.busy_skips;
  } else {
    s.requested = true;
    s.cv.notify_one();
  }
  if (s.taken_ms < 0 || !s.value) return std::nullopt;
  if (s.clock() - s.taken_ms > max_age_) {
    ++s.stats.stale;
    return std::nullopt;
  }
  return s.value;
}

AsyncTemperatureSensor::Stats AsyncTemperatureSensor::stats() const {
  std::lock_guard lk(shared_->mu);
  return shared_->stats;
}

}  // namespace essd::hal
