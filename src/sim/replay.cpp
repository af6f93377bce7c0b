// SPDX-License-Identifier: MIT
#include "sim/replay.hpp"

#include "essd/candump_log.hpp"
#include "essd/module_bus.hpp"

namespace essd::sim {

bool is_module_frame(const CanFrame& f) {
  return !f.extended && !f.remote && f.id >= bus::kStatusBase && f.id < bus::kInfoBase + 0x10;
}

ReplayLog parse_replay_log(std::string_view text, std::string_view origin) {
  ReplayLog log;
  std::optional<std::int64_t> first, last;
  int line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    const auto l = parse_candump_line(line);
    using K = CandumpLine::Kind;
    if (l.kind == K::comment) continue;
    if (l.kind == K::error) {
      if (log.bad_lines++ == 0) log.first_bad = std::to_string(line_no) + ": " + l.error;
      continue;
    }
    if (l.kind == K::frame && !is_module_frame(l.logged.frame)) {
      if (!l.logged.frame.extended && l.logged.frame.id == bus::kCtrlId) {
        ++log.ctrl_skipped;
      } else {
        ++log.other_skipped;
      }
      continue;
    }
    std::int64_t t = l.logged.time_us;
    if (!first) first = t;
    if (last && t < *last) {
      ++log.time_steps_back;  // e.g. a clock step on the site: play it at once
      t = *last;
    }
    last = t;
    ReplayItem item;
    item.at_us = t - *first;
    item.line = line_no;
    if (l.kind == K::heatsink) {
      item.heatsink = true;
      item.celsius = l.celsius;
      ++log.heatsink_readings;
    } else {
      item.frame = l.logged.frame;
      ++log.frames;
    }
    log.items.push_back(item);
  }
  if (log.frames == 0) {
    throw ReplayError(std::string(origin) + ": no module frame (0x100-0x14F) in the log" +
                      (log.first_bad.empty() ? "" : "; first bad line " + log.first_bad));
  }
  return log;
}

std::int64_t ReplayClock::next_due_us() const {
  if (done()) return 0;
  return static_cast<std::int64_t>(static_cast<double>(log_.items[next_].at_us) / speed_);
}

std::int64_t ReplayClock::rebase_offset_us(std::int64_t now_since_start_us) const {
  return next_due_us() - now_since_start_us;
}

}  // namespace essd::sim
