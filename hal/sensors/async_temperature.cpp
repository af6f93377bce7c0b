// SPDX-License-Identifier: MIT
#include "hal/sensors/async_temperature.hpp"

#include <chrono>
#include <mutex>

namespace essd::hal {
namespace {

MonoMs steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// Everything the worker's job touches lives here, owned jointly, so a job
// left behind in a stuck read never touches a destroyed object.
struct AsyncTemperatureSensor::Shared {
  std::unique_ptr<TemperatureSensor> sensor;
  Clock clock;
  std::mutex mu;                // guards what follows
  bool in_flight = false;       // a read asked for or under way
  std::optional<double> value;  // newest reading (nullopt: it failed)
  MonoMs taken_ms = -1;         // when that reading was started
  Stats stats;

  // The job, on the worker thread.
  void read() {
    // Age counts from the start of the read: a read that took long is old.
    const MonoMs started = clock();
    std::optional<double> v;
    try {
      v = sensor->read_c();
    } catch (...) {
      v = std::nullopt;  // no value: a read error (a trip), and the next read is asked for
    }
    std::lock_guard lk(mu);
    in_flight = false;
    value = v;
    taken_ms = started;
    ++stats.reads;
    if (!v) ++stats.read_errors;
    stats.last_read_ms = started;
  }
};

AsyncTemperatureSensor::AsyncTemperatureSensor(std::unique_ptr<TemperatureSensor> sensor,
                                               MonoMs max_age_ms, Clock clock)
    : shared_(std::make_shared<Shared>()),
      max_age_(max_age_ms),
      describe_(sensor->describe() + " (worker thread)"),
      // One request deep. A read stuck on the bus ends when the adapter gives
      // up; it must not hold the daemon's stop: the worker is then left to
      // finish it (the job owns `shared_` through its copy).
      worker_(BlockingWorker::Options{
          .name = "essd-sensor",
          .capacity = 1,
          .at_exit = BlockingWorker::AtExit::abandon_busy,
      }) {
  shared_->sensor = std::move(sensor);
  shared_->clock = clock ? std::move(clock) : Clock(steady_ms);
}

AsyncTemperatureSensor::~AsyncTemperatureSensor() = default;

std::optional<double> AsyncTemperatureSensor::read_c() {
  std::lock_guard lk(shared_->mu);
  Shared& s = *shared_;
  if (s.in_flight) {
    ++s.stats.busy_skips;
  } else {
    s.in_flight = worker_.post([sh = shared_] { sh->read(); });
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
