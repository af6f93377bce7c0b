// SPDX-License-Identifier: MIT
// The interface name written in each line: the SocketCAN interface
// (bus.interface); "slcan0" for an SLCAN adapter (the name slcand would give
// it, so canplayer and candump users see a familiar name); "sim0" for --sim.
#include "daemon/bus_recording.hpp"

#include <ctime>

#include <boost/asio/post.hpp>

#include "daemon/recording_bus.hpp"
#include "essd/version.hpp"

namespace essd::daemon {

namespace {
std::string utc_now_text() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string interface_name(const Config& config, const CommandLine& cl) {
  if (cl.sim_modules) return "sim0";
  if (config.bus.transport == "slcan") return "slcan0";
  return config.bus.interface;
}
}  // namespace

BusRecording::BusRecording(boost::asio::io_context& io, EventLog& events, const Config& config,
                           const CommandLine& cl, std::function<void()> after_report)
    : events_(events),
      after_report_(std::move(after_report)),
      interface_(interface_name(config, cl)),
      first_path_(cl.record_path.empty() ? config.bus.record : cl.record_path),
      max_bytes_(static_cast<std::uint64_t>(config.bus.record_max_mb) * 1024 * 1024),
      model_(to_string(config.system.model)) {
  // Called back on the recorder's thread: the guarded handler is made here.
  auto report = lifetime_.guard([this](const RecorderReport& r) { on_report(r); });
  recorder_ = std::make_unique<BusRecorder>([&io, report](RecorderReport r) {
    boost::asio::post(io, [report, r = std::move(r)] { report(r); });
  });
}

std::unique_ptr<hal::CanBus> BusRecording::wrap(std::unique_ptr<hal::CanBus> bus) {
  auto wrapped = std::make_unique<RecordingBus>(std::move(bus), *recorder_);
  bus_ = wrapped.get();
  if (!first_path_.empty()) start(first_path_);
  return wrapped;
}

void BusRecording::start(const std::string& path) {
  recorder_->start(path, max_bytes_, interface_,
                   "essd " + std::string(kVersion) + " bus recording: " + bus_->describe() +
                       " as " + interface_ + ", " + model_ + ", started " + utc_now_text());
}

api::ActionResult BusRecording::record_bus(bool on, const std::string& path) {
  if (!bus_) return api::ActionError{"unavailable", "the module bus is not up"};
  if (!on) {
    recorder_->stop();  // stopping what is not running is not an error
    return std::nullopt;
  }
  if (path.empty() || path.front() != '/') {
    return api::ActionError{"invalid_argument", "\"path\" must be an absolute file name"};
  }
  start(path);
  return std::nullopt;
}

void BusRecording::finish() {
  recorder_->stop();
  recorder_->flush();  // the last frames, fsynced
}

void BusRecording::on_report(const RecorderReport& r) {
  // A file that cannot be written stops the recording (the loop stops
  // queueing frames); the event says why.
  if (r.error) recorder_->stop();
  events_.emit(r.error ? Severity::error : Severity::info, r.kind, r.message);
  if (after_report_) after_report_();
}

void BusRecording::housekeeping() {
  const auto c = recorder_->counters();
  if (c.frames_dropped > dropped_reported_) {
    events_.emit(Severity::warning, "record_dropped",
                 "bus recording dropped " + std::to_string(c.frames_dropped - dropped_reported_) +
                     " frame(s) (writer behind or failed)");
    dropped_reported_ = c.frames_dropped;
  }
}

nlohmann::json BusRecording::counters() const {
  nlohmann::json j = nlohmann::json::object();
  j["active"] = recorder_->active();
  j["path"] = recorder_->path();
  const auto c = recorder_->counters();
  j["frames_queued"] = c.frames_queued;
  j["frames_written"] = c.frames_written;
  j["frames_dropped"] = c.frames_dropped;
  j["bytes_written"] = c.bytes_written;
  j["rotations"] = c.rotations;
  j["write_errors"] = c.write_errors;
  j["max_queue_depth"] = c.max_queue_depth;
  return j;
}

}  // namespace essd::daemon
