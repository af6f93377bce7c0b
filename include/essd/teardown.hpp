// SPDX-License-Identifier: MIT
#pragma once
// The one way a destructor runs teardown that can throw (an Asio timer's
// cancel() or a socket's close() throws when the system call fails). An
// exception that leaves a destructor ends the process in std::terminate, in
// the middle of an orderly stop; here it is reported on stderr (the journal,
// under systemd) and goes no further, so the rest of the stop still runs.
#include <cstdio>
#include <exception>
#include <utility>

namespace essd {

template <typename Teardown>
void teardown_in_destructor(const char* what, Teardown&& teardown) noexcept {
  try {
    std::forward<Teardown>(teardown)();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: teardown failed: %s\n", what, e.what());
  } catch (...) {
    std::fprintf(stderr, "%s: teardown failed\n", what);
  }
}

}  // namespace essd
