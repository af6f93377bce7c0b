// SPDX-License-Identifier: MIT
// App: module-bus recording (bus.record, --record, the API's `record`).
// The interface name written in each line: the SocketCAN interface
// (bus.interface); "slcan0" for an SLCAN adapter (the name slcand would give
// it, so canplayer and candump users see a familiar name); "sim0" for --sim.
#include <unistd.h>
#include <ctime>

#include <boost/asio/post.hpp>

#include "daemon/app.hpp"
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
}  // namespace

void App::wrap_bus_for_recording() {
  if (cl_.sim_modules) {
    record_interface_ = "sim0";
  } else if (config_.bus.transport == "slcan") {
    record_interface_ = "slcan0";
  } else {
    record_interface_ = config_.bus.interface;
  }
  // Called back on the recorder's thread: the guarded handler is made here.
  auto on_report = lifetime_.guard([this](const RecorderReport& r) { on_recorder_report(r); });
  recorder_ = std::make_unique<BusRecorder>([this, on_report](RecorderReport r) {
    boost::asio::post(io_, [on_report, r = std::move(r)] { on_report(r); });
  });
  bus_ = std::make_unique<RecordingBus>(std::move(bus_), *recorder_);
  const std::string& path = cl_.record_path.empty() ? config_.bus.record : cl_.record_path;
  if (!path.empty()) start_recording(path);
}

void App::start_recording(const std::string& path) {
  const auto max_bytes = static_cast<std::uint64_t>(config_.bus.record_max_mb) * 1024 * 1024;
  recorder_->start(path, max_bytes, record_interface_,
                   "essd " + std::string(kVersion) + " bus recording: " + bus_->describe() +
                       " as " + record_interface_ + ", " + model_name() + ", started " +
                       utc_now_text());
}

void App::on_recorder_report(const RecorderReport& r) {
  // A file that cannot be written stops the recording (the loop stops
  // queueing frames); the event says why.
  if (r.error && recorder_) recorder_->stop();
  emit(r.error ? Severity::error : Severity::info, r.kind, r.message);
  drain_events();
}

void App::record_housekeeping() {
  if (!recorder_) return;
  const auto c = recorder_->counters();
  if (c.frames_dropped > record_dropped_reported_) {
    emit(Severity::warning, "record_dropped",
         "bus recording dropped " + std::to_string(c.frames_dropped - record_dropped_reported_) +
             " frame(s) (writer behind or failed)");
    record_dropped_reported_ = c.frames_dropped;
  }
}

nlohmann::json App::record_counters() const {
  nlohmann::json j = nlohmann::json::object();
  j["active"] = recorder_ && recorder_->active();
  j["path"] = recorder_ ? recorder_->path() : "";
  if (!recorder_) return j;
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

api::ActionResult App::record_bus(bool on, const std::string& path, const api::Peer&) {
  if (!recorder_) return api::ActionError{"unavailable", "the module bus is not up"};
  if (!on) {
    recorder_->stop();  // stopping what is not running is not an error
    return std::nullopt;
  }
  if (path.empty() || path.front() != '/') {
    return api::ActionError{"invalid_argument", "\"path\" must be an absolute file name"};
  }
  start_recording(path);
  return std::nullopt;
}

}  // namespace essd::daemon
