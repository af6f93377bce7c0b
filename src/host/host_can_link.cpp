// SPDX-License-Identifier: MIT
#include "host/host_can_link.hpp"
#include "essd/teardown.hpp"

#include <chrono>

namespace essd::host {
namespace {

MonoMs steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

HostCanLink::HostCanLink(boost::asio::io_context& io, const HostCanConfig& config,
                         std::unique_ptr<hal::CanBus> bus)
    : config_(config),
      options_(PylontechOptions::from(config)),
      bus_(std::move(bus)),
      timer_(io),
      clock_(steady_ms) {
  // The config parser bounds period_ms; clamp anyway so a bad value can never spin.
  if (config_.period_ms < 200) config_.period_ms = 200;
  if (config_.period_ms > 5000) config_.period_ms = 5000;
}

HostCanLink::~HostCanLink() {
  essd::teardown_in_destructor("HostCanLink", [this] { stop(); });
  lifetime_.end();
}

void HostCanLink::start() {
  if (running_ || !bus_) return;
  running_ = true;
  keepalive_.start(now());
  bus_->start(lifetime_.guard([this](const CanFrame& f) { on_frame(f); }),
              lifetime_.guard(
                  [this](hal::LinkState st, const std::string& detail) { on_state(st, detail); }));
  link_state_ = bus_->state();
  send_period();  // publish at once: an inverter should not wait a period for the limits
  timer_.expires_after(std::chrono::milliseconds(config_.period_ms));
  arm_timer();
}

void HostCanLink::stop() {
  if (!running_) return;
  running_ = false;
  timer_.cancel();
  if (bus_) bus_->stop();
}

void HostCanLink::update(const SystemSnapshot& snapshot) {
  snapshot_ = snapshot;
}

void HostCanLink::send_now() {
  if (!running_) return;
  ++immediate_sends_;
  send_period();
  // Restarting the period cancels the pending wait (its handler sees
  // operation_aborted and returns).
  timer_.expires_after(std::chrono::milliseconds(config_.period_ms));
  arm_timer();
}

void HostCanLink::arm_timer() {
  timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted || !running_) return;
    send_period();
    // Fixed rate without drift; after a stall, restart from now instead of bursting.
    const auto period = std::chrono::milliseconds(config_.period_ms);
    auto next = timer_.expiry() + period;
    const auto t = std::chrono::steady_clock::now();
    if (next < t) next = t + period;
    timer_.expires_at(next);
    arm_timer();
  }));
}

void HostCanLink::send_period() {
  ++periods_;
  const MonoMs t = now();
  if (source_) snapshot_ = source_();  // the state now, not the last tick's
  PylontechEncoding enc = encode_pylontech_checked(snapshot_, options_);

  std::set<std::string> now_saturated(enc.saturated.begin(), enc.saturated.end());
  for (const auto& field : now_saturated) {
    if (saturated_.count(field)) continue;
    ++saturations_;
    event(Severity::warning, "saturation:" + field,
          "host CAN field " + field + " saturated at its 16-bit limit");
  }
  saturated_ = std::move(now_saturated);

  bool all_ok = true;
  for (const auto& f : enc.frames) {
    if (bus_ && bus_->send(f)) {
      ++frames_sent_;
    } else {
      ++send_errors_;
      all_ok = false;
    }
  }
  if (!all_ok && !send_failing_) {
    send_failing_ = true;
    event(Severity::warning, "send_failed",
          "host CAN: frames not sent on " + (bus_ ? bus_->describe() : std::string("no bus")));
  } else if (all_ok && send_failing_) {
    send_failing_ = false;
    event(Severity::info, "send_ok", "host CAN: sending again");
  }

  if (config_.require_keepalive && keepalive_.poll(t) == KeepaliveMonitor::Change::lost) {
    event(Severity::warning, "keepalive_lost", "host CAN: no inverter keep-alive 0x305 for 10 s");
  }
}

void HostCanLink::on_frame(const CanFrame& frame) {
  if (frame.id != kInverterKeepaliveId || frame.extended || frame.remote) {
    ++rx_other_;
    return;
  }
  if (keepalive_.on_frame(now()) == KeepaliveMonitor::Change::restored &&
      config_.require_keepalive) {
    event(Severity::info, "keepalive_restored", "host CAN: inverter keep-alive 0x305 restored");
  }
}

void HostCanLink::on_state(hal::LinkState state, const std::string& detail) {
  if (state == link_state_) return;
  link_state_ = state;
  if (state != hal::LinkState::up) ++link_errors_;
  event(state == hal::LinkState::up ? Severity::info : Severity::warning,
        std::string("link_") + std::string(hal::to_string(state)),
        "host CAN " + (bus_ ? bus_->describe() : std::string()) + " " +
            std::string(hal::to_string(state)) + (detail.empty() ? "" : ": " + detail));
}

void HostCanLink::event(Severity sev, std::string cause, std::string message) {
  events_.add(sev, std::move(cause), std::move(message), now());
}

std::vector<Event> HostCanLink::take_events() {
  return events_.take();
}

std::map<std::string, std::int64_t> HostCanLink::counters() const {
  std::map<std::string, std::int64_t> c;
  const MonoMs t = now();
  c["frames_sent"] = static_cast<std::int64_t>(frames_sent_);
  c["send_errors"] = static_cast<std::int64_t>(send_errors_);
  c["periods"] = static_cast<std::int64_t>(periods_);
  c["keepalive_rx"] = static_cast<std::int64_t>(keepalive_.count());
  c["keepalive_age_ms"] = keepalive_.age_ms(t);
  c["keepalive_lost"] = keepalive_.lost() ? 1 : 0;
  c["link_state"] = static_cast<std::int64_t>(link_state_);
  c["link_errors"] = static_cast<std::int64_t>(link_errors_);
  c["saturations"] = static_cast<std::int64_t>(saturations_);
  c["rx_other"] = static_cast<std::int64_t>(rx_other_);
  c["immediate_sends"] = static_cast<std::int64_t>(immediate_sends_);
  if (bus_) {
    for (const auto& [k, v] : bus_->counters()) c["bus_" + k] = static_cast<std::int64_t>(v);
  }
  return c;
}

}  // namespace essd::host
