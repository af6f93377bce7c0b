// SPDX-License-Identifier: MIT
#pragma once
// A TemperatureSensor whose read_c() never blocks: the wrapped sensor (the
// sysfs file of an I2C hwmon chip, whose read is a bus transfer that a stuck
// bus stretches to the adapter's timeout) is read on a worker thread.
// read_c() hands out the newest reading and asks for the next one; the queue
// is one request deep (a read already asked for or under way is not asked
// again). docs/core.md "Heatsink": an error, or a reading older than `max_age`
// (1 s), counts as a trip, so read_c() gives nullopt for both. The thread
// is a BlockingWorker's.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "essd/blocking_worker.hpp"
#include "essd/time.hpp"
#include "hal/sensors/temperature_sensor.hpp"

namespace essd::hal {

class AsyncTemperatureSensor final : public TemperatureSensor {
 public:
  using Clock = std::function<MonoMs()>;
  /// `clock` is read on both threads (steady milliseconds by default).
  AsyncTemperatureSensor(std::unique_ptr<TemperatureSensor> sensor, MonoMs max_age_ms = 1000,
                         Clock clock = {});
  /// Joins the worker, unless it is stuck in a read: then it is left to
  /// finish on its own (it owns what it uses), so stopping never hangs.
  ~AsyncTemperatureSensor() override;
  AsyncTemperatureSensor(const AsyncTemperatureSensor&) = delete;
  AsyncTemperatureSensor& operator=(const AsyncTemperatureSensor&) = delete;

  /// The newest reading if it is good and younger than max_age; else nullopt.
  /// Asks the worker for a fresh one. Never blocks on the sensor.
  std::optional<double> read_c() override;
  std::string describe() const override { return describe_; }

  struct Stats {
    std::uint64_t reads = 0;        // completed reads
    std::uint64_t read_errors = 0;  // reads that gave no value
    std::uint64_t stale = 0;        // read_c() calls answered nullopt for age
    std::uint64_t busy_skips = 0;   // read_c() calls that found a read still under way
    MonoMs last_read_ms = -1;       // when the newest reading was started (-1: none)
  };
  Stats stats() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  MonoMs max_age_;
  std::string describe_;
  BlockingWorker worker_;  // last: stopped (or left to its stuck read) first
};

}  // namespace essd::hal
