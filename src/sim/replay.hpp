// SPDX-License-Identifier: MIT
#pragma once
// ess-sim --replay, the sans-IO part: a candump log (essd's recording or
// `candump -L` output) turned into what is played, and the clock that says
// when. Only module frames (0x100-0x14F, standard ids) are played; CTRL
// (0x080, the recorded controller's answers) and anything else are counted
// and skipped. Heatsink comment lines (essd/candump_log.hpp) are kept so the
// runner can reproduce the reading through a sensor file.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "essd/can_frame.hpp"

namespace essd::sim {

struct ReplayItem {
  std::int64_t at_us = 0;  // since the first item
  bool heatsink = false;   // else a frame
  CanFrame frame;
  std::optional<double> celsius;  // heatsink: nullopt = a failed read
  int line = 0;
};

struct ReplayLog {
  std::vector<ReplayItem> items;  // in file order; times never go backwards
  std::uint64_t frames = 0, heatsink_readings = 0;
  std::uint64_t ctrl_skipped = 0, other_skipped = 0, bad_lines = 0;
  std::uint64_t time_steps_back = 0;  // out-of-order stamps, clamped
  std::string first_bad;              // "LINE: reason" of the first bad line
};

class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

bool is_module_frame(const CanFrame& f);

/// Parses a whole log. Bad lines are counted, not fatal; a log with no
/// module frame at all throws ReplayError("ORIGIN: ...").
ReplayLog parse_replay_log(std::string_view text, std::string_view origin);

/// Which items are due: real time since the start of play, scaled by speed.
class ReplayClock {
 public:
  ReplayClock(const ReplayLog& log, double speed) : log_(log), speed_(speed) {}
  bool done() const { return next_ >= log_.items.size(); }
  std::size_t position() const { return next_; }
  /// Real microseconds since the start of play at which the next item is due.
  std::int64_t next_due_us() const;
  /// The next item, whatever its time (step mode, or when due).
  const ReplayItem& take() { return log_.items[next_++]; }
  /// After stepping by hand, real time continues from the next item: the
  /// offset to add to "now since start" so that it is due now.
  std::int64_t rebase_offset_us(std::int64_t now_since_start_us) const;

 private:
  const ReplayLog& log_;
  double speed_;
  std::size_t next_ = 0;
};

}  // namespace essd::sim
