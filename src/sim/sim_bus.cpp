// SPDX-License-Identifier: MIT
#include "sim/sim_bus.hpp"

#include <boost/asio/post.hpp>
#include <stdexcept>
#include <utility>

#include "essd/teardown.hpp"
#include "sim/scenario.hpp"

namespace essd::sim {
namespace {

constexpr auto kTick = std::chrono::milliseconds(Simulator::kTickMs);
constexpr auto kMaxLag = std::chrono::seconds(1);

Scenario load(const SimOptions& o) {
  if (o.scenario.empty()) return {};
  try {
    return load_scenario_file(o.scenario);
  } catch (const ScenarioError& e) {
    throw std::invalid_argument(e.what());
  }
}

}  // namespace

SimBus::SimBus(boost::asio::io_context& io, const SimOptions& options)
    : io_(io), sim_(options, load(options)), timer_(io) {}

SimBus::~SimBus() {
  essd::teardown_in_destructor("SimBus", [this] { stop(); });
}

MonoMs SimBus::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - origin_).count();
}

void SimBus::start(FrameHandler on_frame, StateHandler on_state) {
  if (running_) return;
  on_frame_ = std::move(on_frame);
  on_state_ = std::move(on_state);
  running_ = true;
  state_ = hal::LinkState::up;
  sim_.step(now());
  next_ = Clock::now() + kTick;
  const std::string detail = "simulated " + std::to_string(sim_.module_count()) + " modules";
  boost::asio::post(io_, lifetime_.guard([this, detail] {
    if (!on_state_) return;
    on_state_(hal::LinkState::up, detail);
  }));
  schedule();
}

void SimBus::stop() {
  if (!running_) return;
  running_ = false;
  state_ = hal::LinkState::down;
  lifetime_.renew();  // every pending handler does nothing
  timer_.cancel();
}

void SimBus::schedule() {
  timer_.expires_at(next_);
  timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    on_tick();
  }));
}

void SimBus::on_tick() {
  const auto t = Clock::now();
  sim_.step(now());
  next_ += kTick;
  if (t - next_ > kMaxLag) {  // the loop stalled: do not fire a burst of ticks
    ++late_ticks_;
    next_ = t + kTick;
  }
  const auto watch = lifetime_.watch();
  for (const auto& f : sim_.take_frames()) {
    ++rx_frames_;
    if (on_frame_) on_frame_(f);
    if (watch.ended()) return;  // the handler stopped or destroyed us
  }
  schedule();
}

bool SimBus::send_emergency(const CanFrame& frame) noexcept {
  try {
    return send(frame);
  } catch (...) {
    return false;
  }
}

bool SimBus::send(const CanFrame& frame) {
  if (!running_) {
    ++tx_dropped_;
    return false;
  }
  ++tx_frames_;
  sim_.on_frame(frame, now());
  return true;
}

std::map<std::string, std::uint64_t> SimBus::counters() const {
  return {{"rx_frames", rx_frames_},
          {"tx_frames", tx_frames_},
          {"tx_dropped", tx_dropped_},
          {"sim_ctrl_frames", sim_.ctrl_frames()},
          {"sim_ignored_frames", sim_.ignored_frames()},
          {"sim_queue_dropped", sim_.frames_dropped()},
          {"sim_late_ticks", late_ticks_}};
}

}  // namespace essd::sim
