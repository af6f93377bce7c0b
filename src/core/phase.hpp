// SPDX-License-Identifier: MIT
#pragma once
// The controller's one phase machine, in place of separate flags:
//
//   starting ──pass──> running <──pass── checking_balance
//      │                  │ (re)connect ────────^
//      └── maintenance ───┴── (leaving: back to starting if never run,
//                               else checking_balance)
//   any but maintenance ──auto shut-down──> shutdown (until a fresh start)
//
// `starting` and `checking_balance` wait for the balance pre-check, which
// runs only on the whole picture; a failed check is remembered so that the
// cause `balance` and its event stand once per failing episode.
#include <cstdint>
#include <string_view>

namespace essd::core {

enum class Phase : std::uint8_t { starting, checking_balance, running, maintenance, shutdown };

constexpr std::string_view to_string(Phase p) {
  switch (p) {
    case Phase::starting:
      return "starting";
    case Phase::checking_balance:
      return "checking_balance";
    case Phase::running:
      return "running";
    case Phase::maintenance:
      return "maintenance";
    case Phase::shutdown:
      return "shutdown";
  }
  return "?";
}

class PhaseMachine {
 public:
  Phase phase() const { return phase_; }
  bool in(Phase p) const { return phase_ == p; }
  /// The balance pre-check is due (it runs once the picture is whole).
  bool balance_due() const { return in(Phase::starting) || in(Phase::checking_balance); }
  /// The last pre-check of this episode failed.
  bool balance_failed() const { return balance_due() && balance_failed_; }
  /// Modules talked again after the shut-down went quiet: start fresh.
  bool fresh_start_due() const { return in(Phase::shutdown) && talked_again_; }
  /// The CTRL frame goes out, except once the shut-down went quiet: a module
  /// that a charger wakes would hear the shutdown request again and go back
  /// to sleep before it ever talked, and the system would stay stranded.
  bool ctrl_wanted() const { return !(in(Phase::shutdown) && quiet_); }

  /// A module (re)connected, or the groups sharing a connection changed.
  void recheck() {
    if (in(Phase::running)) phase_ = Phase::checking_balance;
  }
  /// Returns true when the result is news (a pass, or the first failure).
  bool balance_result(bool pass) {
    if (!balance_due()) return false;
    if (pass) {
      phase_ = Phase::running;
      balance_failed_ = false;
      return true;
    }
    const bool first = !balance_failed_;
    balance_failed_ = true;
    return first;
  }
  void enter_maintenance() {
    if (in(Phase::maintenance) || in(Phase::shutdown)) return;
    resume_ = in(Phase::starting) ? Phase::starting : Phase::checking_balance;
    phase_ = Phase::maintenance;
  }
  void leave_maintenance() {
    if (!in(Phase::maintenance)) return;
    phase_ = resume_;
    balance_failed_ = false;
  }
  void shut_down() {
    phase_ = Phase::shutdown;
    quiet_ = talked_again_ = false;
  }
  /// In shutdown: follows whether any module talks.
  void observe_talking(bool any) {
    if (!in(Phase::shutdown)) return;
    if (!any) quiet_ = true;
    if (any && quiet_) talked_again_ = true;
  }

 private:
  Phase phase_ = Phase::starting;
  Phase resume_ = Phase::starting;
  bool balance_failed_ = false;
  bool quiet_ = false, talked_again_ = false;
};

}  // namespace essd::core
