// SPDX-License-Identifier: MIT
#pragma once
// The last act on an internal error (docs/core.md "Internal errors"): an
// exception escaping the loop, std::terminate (a noexcept violation, a
// failed ESSD_INVARIANT, ...), or a fatal signal (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGABRT). Both path outputs are driven open and a final CTRL
// (mode 0, both paths open) is written before the process goes, non-zero.
//
// What can be done safely at that point is little, so it is prepared in
// advance: the pins are already-requested lines (one ioctl each,
// OutputPin::force_safe), the bus fd is already open (one bounded write,
// CanBus::send_emergency), the CTRL frame is built from plain data (its alive
// counter kept in an atomic). No allocation, no lock, no logging in the
// handlers; fatal signals run on an alternate stack (a stack overflow is one
// of them). Registered objects must outlive arm() .. disarm().
#include <cstdint>

namespace essd::hal {
class OutputPin;
class CanBus;
}  // namespace essd::hal

namespace essd::daemon::fail_safe {

struct Targets {
  hal::OutputPin* charge_path = nullptr;
  hal::OutputPin* discharge_path = nullptr;
  hal::CanBus* bus = nullptr;
};

/// Installs the terminate handler and the fatal-signal handlers (once) and
/// registers what they act on.
void arm(const Targets& targets);
/// Unregisters (before the objects go away). The handlers stay installed
/// and do nothing but report.
void disarm();
/// The alive counter of the CTRL just sent: the final one follows it.
void note_ctrl_sent(std::uint8_t alive);

/// Opens the paths and sends the final CTRL, once per process (later calls
/// return at once). `why` is written to stderr. Async-signal-safe.
void open_paths_now(const char* why) noexcept;
/// How many times open_paths_now() acted (0 or 1), for tests.
int fired();

}  // namespace essd::daemon::fail_safe
