// SPDX-License-Identifier: MIT
#pragma once
// Fault injection for the internal-error tests (docs/core.md "Internal
// errors"). Compiled ONLY into the test binary essd-fault-injection (target
// defined with ESSD_FAULT_INJECTION); the installed essd has neither this
// file nor any hook, option or variable that reaches it.
//
// In that binary, SIGUSR2 provokes the fault named by the environment
// variable ESSD_FAULT, on the loop thread, as a real bug would:
//   throw      an exception escapes a handler (out of io_context::run)
//   terminate  std::terminate() (e.g. an exception through noexcept)
//   invariant  a failed ESSD_INVARIANT
//   segv       a fatal signal (SIGSEGV raised in the handler)
//   spin       the loop thread spins on the CPU for ever (no watchdog pet)
#include <boost/asio/io_context.hpp>

namespace essd::daemon {

void install_fault_injection(boost::asio::io_context& io);

}  // namespace essd::daemon
