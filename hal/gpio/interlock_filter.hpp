// SPDX-License-Identifier: MIT
#pragma once
// Filtering of one hard-wired interlock input (CHG/OV/DIS lines, SW ON),
// pure (virtual time). docs/core.md "Hard-wired inputs": the unsafe level acts at once, only
// the return to the safe level is debounced, and an input that cannot be
// read counts as unsafe. So, unlike the DISP button's Debouncer:
//  - any edge while the accepted level is safe makes it unsafe at once, at
//    the edge's time, whatever level is read back afterwards (on a two-level
//    line an edge from the safe level is a visit to the unsafe one, even if
//    the line is back before the level can be read);
//  - the safe level is accepted only when it is read back and no edge came
//    for `window` ms, counted from the later of the last edge and the first
//    safe read after it;
//  - a read error makes the input unsafe and restarts the window; fail()
//    (a broken event fd) makes it unsafe for good.
#include <optional>

#include "essd/time.hpp"

namespace essd::hal {

class InterlockFilter {
 public:
  struct Change {
    bool level;   // the accepted (logical) level
    MonoMs when;  // the edge that made it unsafe, or when safe was accepted
  };

  /// `unsafe_level`: the logical level that blocks (false for the CHG/OV/DIS
  /// lines, true for SW ON). Starts unsafe: the first reading must show the
  /// safe level for a whole window before it counts.
  InterlockFilter(MonoMs window, bool unsafe_level, MonoMs now)
      : window_(window < 0 ? 0 : window),
        unsafe_(unsafe_level),
        accepted_(unsafe_level),
        quiet_since_(now) {}

  /// An edge event at `when` (the kernel's stamp), before the level is read back.
  std::optional<Change> on_edge(MonoMs when) {
    quiet_since_ = when;
    raw_safe_ = false;  // until a read shows otherwise
    return become_unsafe(when);
  }

  /// The level read back now; nullopt = the read failed.
  std::optional<Change> on_level(std::optional<bool> level, MonoMs now) {
    if (!level || *level == unsafe_) {
      if (!level) quiet_since_ = now;
      raw_safe_ = false;
      return become_unsafe(now);
    }
    // The window runs from the later of the last edge and this first safe
    // read after it: an edge event still on its way (the kernel stamps it
    // but delivers it late) must not make a fresh safe level look old.
    if (!raw_safe_ && now > quiet_since_) quiet_since_ = now;
    raw_safe_ = true;
    return std::nullopt;
  }

  /// The event source is gone: unsafe from now on.
  std::optional<Change> fail(MonoMs now) {
    failed_ = true;
    raw_safe_ = false;
    return become_unsafe(now);
  }

  /// Accepts the safe level once it has held, without an edge, for the window.
  std::optional<Change> poll(MonoMs now) {
    const auto due = deadline();
    if (!due || now < *due) return std::nullopt;
    accepted_ = !unsafe_;
    return Change{accepted_, now};
  }

  /// When poll() must run to accept the safe level, if it is pending.
  std::optional<MonoMs> deadline() const {
    if (accepted_ != unsafe_ || !raw_safe_ || failed_) return std::nullopt;
    return quiet_since_ + window_;
  }

  bool level() const { return accepted_; }
  bool safe() const { return accepted_ != unsafe_; }
  bool failed() const { return failed_; }

 private:
  std::optional<Change> become_unsafe(MonoMs when) {
    if (accepted_ == unsafe_) return std::nullopt;
    accepted_ = unsafe_;
    return Change{accepted_, when};
  }

  MonoMs window_;
  bool unsafe_;
  bool accepted_;
  bool raw_safe_ = false;  // the last read showed the safe level
  bool failed_ = false;
  MonoMs quiet_since_;  // time of the last edge (or read error)
};

}  // namespace essd::hal
