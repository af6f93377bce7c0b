// SPDX-License-Identifier: MIT
#include "daemon/fault_injection.hpp"

#ifndef ESSD_FAULT_INJECTION
#error "fault_injection.cpp belongs to the essd-fault-injection test binary only"
#endif

#include <signal.h>

#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "essd/invariant.hpp"

namespace essd::daemon {
namespace {

// The loop thread runs on the CPU forever (at its scheduling policy, e.g.
// SCHED_FIFO) as a buggy loop would: the systemd suite proves with it that
// the watchdog catches a loop that spins, not only one that is stopped.
void spin_forever() {
  volatile bool spinning = true;
  while (spinning) {
  }
}

}  // namespace

void install_fault_injection(boost::asio::io_context& io) {
  auto signals = std::make_shared<boost::asio::signal_set>(io, SIGUSR2);
  signals->async_wait([signals](const boost::system::error_code& ec, int) {
    if (ec) return;
    const char* env = std::getenv("ESSD_FAULT");
    const std::string fault = env ? env : "throw";
    if (fault == "terminate") std::terminate();
    if (fault == "invariant") ESSD_INVARIANT(fault != "invariant");
    if (fault == "segv") ::raise(SIGSEGV);
    if (fault == "spin") return spin_forever();
    throw std::runtime_error("injected fault (" + fault + ")");
  });
}

}  // namespace essd::daemon
