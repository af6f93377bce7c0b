// SPDX-License-Identifier: MIT
#pragma once
// Where every event of the daemon goes, in one place: the journal, the
// history (which numbers it) and the API's watchers. The control loop, the
// API backend and the start-up steps all report through it.
#include <cstdint>
#include <string>

#include "daemon/loop_clock.hpp"
#include "essd/event.hpp"

namespace essd::history {
class History;
}
namespace essd::api {
class Server;
}

namespace essd::daemon {

class EventLog {
 public:
  explicit EventLog(const LoopClock& clock) : clock_(clock) {}

  /// What an event reaches besides the journal; each is set once it exists.
  void set_history(history::History* history) { history_ = history; }
  void set_server(api::Server* server) { server_ = server; }

  void emit(Severity severity, std::string kind, std::string message, std::string cause = {});
  void record(const Event& e);
  std::uint64_t total() const { return total_; }

 private:
  const LoopClock& clock_;
  history::History* history_ = nullptr;
  api::Server* server_ = nullptr;
  std::uint64_t total_ = 0;
};

}  // namespace essd::daemon
