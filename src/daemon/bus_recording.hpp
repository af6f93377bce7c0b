// SPDX-License-Identifier: MIT
#pragma once
// Module-bus recording as the daemon runs it (bus.record, --record, the
// API's `record`): the recorder on its thread, the bus wrapped so that every
// frame in and out reaches it, its reports as events, its counters.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "api/backend.hpp"
#include "daemon/bus_recorder.hpp"
#include "daemon/command_line.hpp"
#include "daemon/event_log.hpp"
#include "essd/config.hpp"
#include "essd/lifetime.hpp"
#include "hal/can/can_bus.hpp"

namespace essd::daemon {

class BusRecording {
 public:
  /// `after_report` runs on the loop after each recorder report's event.
  BusRecording(boost::asio::io_context& io, EventLog& events, const Config& config,
               const CommandLine& cl, std::function<void()> after_report);
  ~BusRecording() { lifetime_.end(); }
  BusRecording(const BusRecording&) = delete;
  BusRecording& operator=(const BusRecording&) = delete;

  /// `bus`, with every frame in and out recorded while a recording runs;
  /// starts the configured recording (--record or bus.record), if any.
  std::unique_ptr<hal::CanBus> wrap(std::unique_ptr<hal::CanBus> bus);
  void start(const std::string& path);
  /// The API's `record`: starts (an absolute path) or stops a recording.
  api::ActionResult record_bus(bool on, const std::string& path);
  /// Shut-down: stops, and writes and fsyncs the last frames.
  void finish();
  /// Once a second: reports dropped frames.
  void housekeeping();
  nlohmann::json counters() const;
  BusRecorder& recorder() { return *recorder_; }

 private:
  void on_report(const RecorderReport& r);

  EventLog& events_;
  std::function<void()> after_report_;
  std::string interface_;  // the interface name written in each line
  std::string first_path_;
  std::uint64_t max_bytes_;
  std::string model_;
  std::unique_ptr<BusRecorder> recorder_;
  hal::CanBus* bus_ = nullptr;  // the wrapped bus (owned by the App)
  std::uint64_t dropped_reported_ = 0;
  Lifetime lifetime_;
};

}  // namespace essd::daemon
