// SPDX-License-Identifier: MIT
#pragma once
// ess-sim --replay, the I/O part: plays a ReplayLog onto the pty or the CAN
// interface in real time (scaled by --speed) or one step at a time, records
// the CTRL frames the controller sends back, and reproduces recorded heatsink
// readings through a sensor file (millidegrees, as essd's
// limits.heatsink_sensor reads it).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "essd/lifetime.hpp"
#include "sim/replay.hpp"

namespace essd::sim {

struct ReplayOptions {
  double speed = 1.0;                // recorded seconds per real second
  bool step = false;                 // wait for "step [N]" commands
  std::string record_ctrl;           // candump log of the frames the host sends; "" = none
  std::string heatsink_file;         // where recorded heatsink readings go; "" = ignored
  std::string interface = "slcan0";  // written in the CTRL log
};

/// Writes "<millidegrees>\n" atomically (temporary file + rename); false and
/// `error` on failure.
bool write_heatsink_file(const std::string& path, double celsius, std::string& error);

/// What ess-sim's command line gives a replay (ess_sim_main.cpp).
struct ReplayCommandLine {
  std::string file;
  std::string can_iface;  // else --pty
  std::string control_path;
  ReplayOptions options;
};
/// ess-sim --replay FILE: returns the exit code (replay_main.cpp).
int run_replay(const ReplayCommandLine& cl);

class ReplayRunner {
 public:
  using Out = std::function<void(const CanFrame&)>;
  using Ready = std::function<bool()>;  // may frames go out yet (channel open)?
  using Note = std::function<void(const std::string&)>;

  ReplayRunner(boost::asio::io_context& io, ReplayLog log, ReplayOptions opt, Out out, Ready ready,
               Note note);
  void start();
  void stop();
  /// A frame the host (the controller) put on the bus.
  void on_host_frame(const CanFrame& f);
  /// Control commands: "step [N]", "pause", "run", "status".
  std::string command(const std::string& line);

 private:
  using Clock = std::chrono::steady_clock;
  void wait_ready();
  void arm();
  void play_due();
  void emit(const ReplayItem& item, Clock::time_point scheduled, bool timed);
  void finish();
  std::int64_t since_start_us() const;

  ReplayLog log_;
  ReplayOptions opt_;
  ReplayClock clock_;
  Out out_;
  Ready ready_;
  Note note_;
  boost::asio::steady_timer timer_;
  Clock::time_point start_{};
  std::int64_t offset_us_ = 0;  // added to real time after pauses and steps
  bool started_ = false, paused_ = false, finished_ = false, stopped_ = false;
  std::vector<std::int64_t> errors_us_;  // sent - scheduled, timed frames only
  std::ofstream ctrl_log_;
  std::uint64_t ctrl_frames_ = 0, heatsink_written_ = 0;
  bool heatsink_warned_ = false;
  Lifetime lifetime_;  // guards the handlers that capture this
};

}  // namespace essd::sim
