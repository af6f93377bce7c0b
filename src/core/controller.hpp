// SPDX-License-Identifier: MIT
#pragma once
// The controller core (docs/core.md), sans-IO: fed with module
// bus frames, panel inputs, API commands and a time value; produces the two
// path states with their blocking causes, the CTRL frame content, the host
// limits, the error list, the power-hold output and events. No sockets,
// clocks, threads or logging in here; src/daemon wires it.
//
// PUBLIC API CONTRACT: the daemon, panel, host links, benchmarks and tests
// use exactly these members. Private members are the implementer's choice.
#include <memory>
#include <optional>
#include <vector>

#include "essd/can_frame.hpp"
#include "essd/config.hpp"
#include "essd/event.hpp"
#include "essd/module_bus.hpp"
#include "essd/system_state.hpp"
#include "essd/time.hpp"

namespace essd::core {

struct CoreConfig {
  Model model = Model::ij1001c;
  Topology topology = Topology::parallel;
  int expected_modules = 0;  // 0 = any valid count
  LimitsConfig limits;
  bool heatsink_configured = false;  // a heatsink sensor exists (real or simulated)

  static CoreConfig from(const Config& c, bool heatsink_configured);
};

/// Hard-wired panel inputs. nullopt = line not configured.
struct PanelInputs {
  bool off_mode = false;  // resistor between GND and SW ON
  std::optional<bool> hw_chg;
  std::optional<bool> hw_dis;
  std::optional<bool> hw_ov;
};

struct Latches {
  bool ov_error = false;
  bool discharge_error = false;
  bool operator==(const Latches&) const = default;
};

class Controller {
 public:
  /// Both paths open at construction (fail-safe start). `restored` latches
  /// can only keep paths open.
  Controller(const CoreConfig& config, MonoMs now, Latches restored = {});
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  /// Swap in a new, already validated configuration (reload).
  void reconfigure(const CoreConfig& config, MonoMs now);

  // ---- inputs; each re-evaluates the interlocks at once ----
  void on_frame(const CanFrame& frame, MonoMs now);  // decode + registry + evaluate
  void tick(MonoMs now);                             // every 100 ms
  /// Re-evaluates at `now` without counting a tick: the daemon calls it when
  /// next_deadline() is reached, so a loss shows when the timeout runs out.
  void advance(MonoMs now);
  void set_panel_inputs(const PanelInputs& inputs, MonoMs now);
  void set_heatsink(std::optional<double> celsius, MonoMs now);
  void set_maintenance(bool on, MonoMs now);
  void set_host_disconnect(bool on, MonoMs now);  // SunSpec SetOp
  /// The daemon's latch save failed (true) / succeeded (false): error
  /// `state_file` stands in between. It blocks no path.
  void set_state_file_error(bool failing, MonoMs now);

  // ---- outputs ----
  bool charge_closed() const;
  bool discharge_closed() const;
  bool power_hold() const;  // false once auto shut-down released it
  /// CTRL frame content for the next transmission; advances the alive counter.
  bus::Ctrl next_ctrl();
  /// False once the auto shut-down went quiet: no CTRL is sent until the
  /// fresh start (phase.hpp says why).
  bool ctrl_wanted() const;
  /// True once after any path or mode change: the daemon sends a CTRL at once.
  bool take_ctrl_request();
  /// Events since the last call, oldest first.
  std::vector<Event> take_events();
  Latches latches() const;
  /// True once after the latches changed (the daemon persists them).
  bool take_latches_dirty();
  /// The next time at which the picture changes without any input (a module
  /// lost by timeout, one that stops talking, one that settles); nullopt when
  /// nothing is pending. The daemon arms a timer and calls advance() then.
  std::optional<MonoMs> next_deadline() const;
  /// After an auto shut-down, modules went quiet and talk again while the
  /// board stayed powered: the daemon starts fresh (a new Controller with
  /// the latches as restored, paths open, every module connecting anew).
  bool fresh_start_due() const;
  /// Full view for API, panel and host links; built on demand (not per frame).
  SystemSnapshot snapshot(MonoMs now) const;
  /// Global counters: frames by kind, unknown ids, not-standard frames.
  struct Counters {
    std::uint64_t frames_in = 0;
    std::uint64_t frames_valid = 0;
    std::uint64_t frames_invalid = 0;
    std::uint64_t unknown_id = 0;
    std::uint64_t not_standard = 0;
    std::array<std::uint64_t, bus::kInvalidReasonCount> invalid_by_reason{};
  };
  const Counters& counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace essd::core
