// SPDX-License-Identifier: MIT
#include "daemon/event_log.hpp"

#include <chrono>

#include "api/server.hpp"
#include "daemon/logging.hpp"
#include "history/history.hpp"

namespace essd::daemon {

void EventLog::emit(Severity severity, std::string kind, std::string message, std::string cause) {
  Event e;
  e.severity = severity;
  e.kind = std::move(kind);
  e.message = std::move(message);
  e.cause = std::move(cause);
  e.at_ms = clock_.now();
  record(e);
}

void EventLog::record(const Event& e) {
  ++total_;
  logging::log_event(e);
  if (!history_) return;
  history::Record r = history_->append(e, std::chrono::system_clock::now());
  if (server_) {
    server_->publish_event(api::EventRecord{r.seq, r.time, r.severity, r.kind, r.message, r.data});
  }
}

}  // namespace essd::daemon
