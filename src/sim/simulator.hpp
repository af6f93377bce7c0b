// SPDX-License-Identifier: MIT
#pragma once
// sim::Simulator: the sans-IO module simulator. Stepped with bus time
// (`MonoMs now`, from a steady clock or a test's counter), it advances the
// physics of every module, the DC side (charger, load, controller paths) and
// the controller's heatsink, and queues the frames the modules send. The
// controller's CTRL frames are fed in with on_frame(). No clocks, sockets,
// threads, files or logging in here.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "essd/can_frame.hpp"
#include "essd/model.hpp"
#include "essd/time.hpp"
#include "sim/module.hpp"
#include "sim/rng.hpp"
#include "sim/scenario.hpp"

namespace essd::sim {

struct SimOptions {
  Model model = Model::ij1001c;
  Topology topology = Topology::parallel;
  int modules = 4;  // 1..16
  double ambient_c = 25;
  double initial_soc_pct = 60;
  std::uint32_t seed = 1;
  std::string scenario;  // path, "" none (loaded by SimBus / ess-sim, not by the Simulator)
  double speed = 1.0;    // simulated (physics, scenario) seconds per bus second, (0, 10000]
};

/// What a test (or `status`) sees of one module: truth, not measurement.
struct ModuleView {
  int index = 0;
  int address = 0;
  bool powered = true;      // false after a shutdown request
  bool conducting = false;  // its own outputs closed (CTRL heard within 1 s)
  double voltage_v = 0;     // terminal voltage
  double current_a = 0;     // + = charging
  double rsoc = 0;          // 0..1
  double min_cell_soc = 0, max_cell_soc = 0;
  double max_temp_c = 0;
  double full_charge_ah = 0;
  double charge_ah = 0;  // charge in the weakest block
  int cycles = 0;
  FirmwareOutput firmware;
};

class Simulator {
 public:
  static constexpr MonoMs kTickMs = 10;

  /// Throws std::invalid_argument for bad options or a scenario step naming
  /// a module that does not exist.
  explicit Simulator(SimOptions options, Scenario scenario = {});

  /// Advances to bus time `now` in 10 ms ticks (the first call sets the
  /// origin: the modules power on then). Time never goes backwards.
  void step(MonoMs now);
  /// Frames emitted since the last call, in bus order.
  std::vector<CanFrame> take_frames();
  /// A frame from the controller (only CTRL 0x080 is acted on).
  void on_frame(const CanFrame& frame, MonoMs now);

  /// Control-channel line -> "ok", "ok <summary>" (status) or "error <why>".
  std::string command(std::string_view line);
  /// Applies a parsed command; "" on success, else the reason.
  std::string apply(const Command& c);

  double heatsink_c() const;
  const SimOptions& options() const { return opt_; }
  int module_count() const { return static_cast<int>(modules_.size()); }
  ModuleView module(int i) const;
  double battery_current_a() const { return battery_a_; }
  double bus_voltage_v() const { return bus_v_; }
  double physics_time_s() const { return phys_s_; }
  MonoMs now() const { return now_; }
  bool charge_path() const { return ctrl_charge_; }
  bool discharge_path() const { return ctrl_discharge_; }
  bool charger_on() const { return charger_on_; }
  std::uint64_t ctrl_frames() const { return ctrl_frames_; }
  std::uint64_t ignored_frames() const { return ignored_frames_; }
  std::uint64_t frames_dropped() const { return frames_dropped_; }
  /// Human-readable notes (scenario steps applied), for ess-sim's stderr.
  std::vector<std::string> take_log();

  static constexpr std::size_t kMaxQueuedFrames = 65536;

 private:
  void tick(MonoMs t);
  void physics(double dt_s, MonoMs t);
  std::string check(const Command& c) const;
  // Parts of apply() (simulator_commands.cpp).
  void readdress(const Command& c);  // address, duplicate, gap
  void restore(int module);          // restore M | restore all (-1)
  void switch_charger(bool on, double cc_a);
  std::string summary() const;
  void run_scenario();
  /// The scenario's [variety] for module i (no-op without it).
  void apply_variety(ModuleParams& p, int i);

  SimOptions opt_;
  Scenario scenario_;
  std::size_t next_step_ = 0;
  Rng rng_;
  std::vector<SimModule> modules_;
  std::vector<CanFrame> frames_;
  std::vector<std::string> log_;
  bool started_ = false;
  MonoMs now_ = 0;
  MonoMs next_tick_ = 0;
  /// The time of the last tick run. A module's schedule counts in ticks from
  /// its power-on, so a power-on between two ticks (a command read at any
  /// moment of real time) counts from the tick before it: counted from the
  /// command's own time, the module never met its send times and stayed
  /// silent for good.
  MonoMs last_tick() const { return started_ ? next_tick_ - kTickMs : now_; }
  double phys_s_ = 0;

  // DC side.
  bool charger_on_ = false;
  double charger_cc_a_ = 0;  // 0 = default (24 A x modules in parallel)
  double load_ = 0;
  bool load_watts_ = false;
  double ambient_c_;
  std::vector<double> ambient_offset_;  // per module, [variety] rack position
  double battery_a_ = 0;
  double bus_v_ = 0;
  double heatsink_model_c_;
  bool heatsink_forced_ = false;
  double heatsink_forced_c_ = 0;

  // Controller, as told by its CTRL frames.
  bool ctrl_charge_ = false;
  bool ctrl_discharge_ = false;
  std::uint64_t ctrl_frames_ = 0;
  std::uint64_t ignored_frames_ = 0;
  std::uint64_t frames_dropped_ = 0;

  // Bus-wide faults.
  double noise_ = 0;
  MonoMs silence_until_ = std::numeric_limits<MonoMs>::min();  // ticks up to it are silent
};

}  // namespace essd::sim
