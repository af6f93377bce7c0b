// SPDX-License-Identifier: MIT
#include "sim/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "essd/module_bus.hpp"
#include "sim/power.hpp"

namespace essd::sim {
namespace {

constexpr double kChargeVoltPerModule = 57.6;
constexpr double kChargeAmpsPerModule = 24.0;
constexpr double kChargerMargin = 0.95;  // of the rating, for the default charger
constexpr double kHeatsinkRiseC = 55.0;  // at the model's rated current, steady state
constexpr double kHeatsinkTauS = 120.0;
constexpr double kMaxPhysicsStepS = 1.0;

std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

}  // namespace

Simulator::Simulator(SimOptions options, Scenario scenario)
    : opt_(std::move(options)),
      scenario_(std::move(scenario)),
      rng_(opt_.seed),
      ambient_c_(opt_.ambient_c),
      heatsink_model_c_(opt_.ambient_c) {
  if (opt_.modules < 1 || opt_.modules > bus::kMaxModules)
    throw std::invalid_argument("sim: modules must be 1-16, not " + std::to_string(opt_.modules));
  if (!(opt_.initial_soc_pct >= 0 && opt_.initial_soc_pct <= 100))
    throw std::invalid_argument("sim: initial SOC must be 0-100 %");
  if (!(opt_.ambient_c >= -40 && opt_.ambient_c <= 80))
    throw std::invalid_argument("sim: ambient must be -40..80 degC");
  if (!(opt_.speed > 0 && opt_.speed <= 10000))
    throw std::invalid_argument("sim: speed must be in (0, 10000]");
  if (scenario_.variety.drift_module >= opt_.modules)
    throw std::invalid_argument("scenario variety: drift_module " +
                                std::to_string(scenario_.variety.drift_module) + " does not exist");
  for (int i = 0; i < opt_.modules; ++i) {
    ModuleParams p;
    p.index = i;
    p.soc = opt_.initial_soc_pct / 100.0;
    p.ambient_c = opt_.ambient_c;
    // Stagger: ten 10 ms slots per 100 ms, neighbours three slots apart.
    p.phase_ms = (i * 3 % 10) * kTickMs;
    apply_variety(p, i);
    modules_.emplace_back(p, opt_.seed);
  }
  for (const auto& st : scenario_.steps) {
    if (auto why = check(st.command); !why.empty())
      throw std::invalid_argument("scenario line " + std::to_string(st.line) + ": " + why);
  }
}

void Simulator::apply_variety(ModuleParams& p, int i) {
  const Variety& v = scenario_.variety;
  ambient_offset_.push_back(0.0);
  if (!v.enabled) return;
  // Its own generator, so the rest of the simulation draws what it always did.
  Rng rng(opt_.seed * 2654435761u + static_cast<std::uint32_t>(i) * 40503u + 17u);
  p.capacity_factor = 1.0 + rng.uniform(-0.5, 0.5) * v.capacity_pct / 100.0;
  p.soc = std::clamp(p.soc + rng.uniform(-0.5, 0.5) * v.soc_pct / 100.0, 0.0, 1.0);
  p.cell_spread = v.cell_spread;
  // Warm air rises: index 0 sits at the bottom of the rack.
  const int n = opt_.modules;
  ambient_offset_.back() = n > 1 ? v.rack_temp_c * i / (n - 1) : 0.0;
  p.ambient_c += ambient_offset_.back();
}

void Simulator::step(MonoMs now) {
  if (!started_) {
    started_ = true;
    now_ = now;
    next_tick_ = now;
    // The modules power on at the origin; their schedules count from it.
    for (auto& m : modules_) m.start(now);
  }
  while (next_tick_ <= now) {
    tick(next_tick_);
    next_tick_ += kTickMs;
  }
  now_ = std::max(now_, now);
}

std::vector<CanFrame> Simulator::take_frames() {
  std::vector<CanFrame> out;
  out.swap(frames_);
  return out;
}

std::vector<std::string> Simulator::take_log() {
  std::vector<std::string> out;
  out.swap(log_);
  return out;
}

void Simulator::on_frame(const CanFrame& frame, MonoMs now) {
  const auto r = bus::decode(frame);
  if (!r.ok() || !std::holds_alternative<bus::Ctrl>(*r.message)) {
    ++ignored_frames_;
    return;
  }
  const auto& c = std::get<bus::Ctrl>(*r.message);
  ++ctrl_frames_;
  ctrl_charge_ = c.charge_closed;
  ctrl_discharge_ = c.discharge_closed;
  for (auto& m : modules_) m.hear_ctrl(c.mode, now);
}

void Simulator::tick(MonoMs t) {
  run_scenario();
  const double dt = kTickMs / 1000.0 * opt_.speed;
  const int n = static_cast<int>(std::ceil(dt / kMaxPhysicsStepS));
  for (int k = 0; k < n; ++k) physics(dt / n, t);
  phys_s_ += dt;

  const std::size_t before = frames_.size();
  for (auto& m : modules_) m.emit(t, noise_, rng_, frames_);
  if (t <= silence_until_) frames_.resize(before);
  if (frames_.size() > kMaxQueuedFrames) {
    // Nobody is taking frames: keep the newest, count the rest.
    const std::size_t excess = frames_.size() - kMaxQueuedFrames;
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(excess));
    frames_dropped_ += excess;
  }
}

void Simulator::physics(double dt_s, MonoMs t) {
  const int n = module_count();
  PowerInputs in;
  in.groups = modules_in_series(opt_.topology, n);
  in.charge_path = ctrl_charge_;
  in.discharge_path = ctrl_discharge_;
  in.charger_on = charger_on_;
  in.charger_cv_v = kChargeVoltPerModule * in.groups;
  // By default a well-behaved charger: 24 A per module in parallel, but
  // regulating with a margin below the controller model's rating (the charge
  // current limit the controller publishes to it): set exactly at the rating,
  // measurement noise alone took it past the rating and tripped the
  // overcurrent interlock seconds into the demo.
  in.charger_cc_a =
      charger_cc_a_ > 0
          ? charger_cc_a_
          : std::min(kChargeAmpsPerModule * modules_in_parallel(opt_.topology, n),
                     kChargerMargin * model_spec(opt_.model, opt_.topology).max_current_a);
  std::vector<Branch> br(modules_.size());
  double emf = 0;
  for (std::size_t k = 0; k < modules_.size(); ++k) {
    const auto& m = modules_[k];
    br[k].ocv_v = m.pack().ocv();
    br[k].r_ohm = m.pack().resistance();
    br[k].conducting = m.conducting(t);
    br[k].group = opt_.topology == Topology::parallel ? 0
                  : opt_.topology == Topology::series ? static_cast<int>(k)
                                                      : static_cast<int>(k) / 2;
    emf += br[k].ocv_v;
  }
  if (load_watts_) {
    // Constant power: the current follows the last terminal voltage.
    const double v =
        bus_v_ > 1.0 ? bus_v_ : emf / std::max(1, modules_in_parallel(opt_.topology, n));
    in.load_a = v > 1.0 ? load_ / v : 0.0;
  } else {
    in.load_a = load_;
  }
  const PowerResult res = solve_power(br, in);
  battery_a_ = res.battery_a;
  bus_v_ = res.bus_v;
  for (std::size_t k = 0; k < modules_.size(); ++k)
    modules_[k].apply(res.branch_a[k], dt_s, ambient_c_ + ambient_offset_[k]);
  const Variety& v = scenario_.variety;
  if (v.enabled && v.drift_module >= 0 && v.drift_module < n && v.drift_pct_per_h > 0)
    modules_[static_cast<std::size_t>(v.drift_module)].pack().leak(v.drift_pct_per_h / 100.0 *
                                                                   dt_s / 3600.0);

  const double rating = model_spec(opt_.model, opt_.topology).max_current_a;
  const double x = battery_a_ / rating;
  const double target = ambient_c_ + kHeatsinkRiseC * x * x;
  heatsink_model_c_ = target + (heatsink_model_c_ - target) * std::exp(-dt_s / kHeatsinkTauS);
}

void Simulator::run_scenario() {
  while (next_step_ < scenario_.steps.size() && scenario_.steps[next_step_].at_s <= phys_s_) {
    const auto& st = scenario_.steps[next_step_++];
    const std::string why = apply(st.command);
    log_.push_back(fmt("t=%.1fs scenario: ", phys_s_) + st.text +
                   (why.empty() ? "" : " (error: " + why + ")"));
  }
}

double Simulator::heatsink_c() const {
  return heatsink_forced_ ? heatsink_forced_c_ : heatsink_model_c_;
}

ModuleView Simulator::module(int i) const {
  ModuleView v;
  if (i < 0 || i >= module_count()) return v;
  const auto& m = modules_[i];
  const auto& blocks = m.pack().blocks();
  v.index = i;
  v.address = m.address();
  v.powered = m.powered();
  v.conducting = m.conducting(now_);
  v.current_a = m.current_a();
  v.voltage_v = m.current_a() * kInterconnectOhm;
  v.min_cell_soc = 2, v.max_cell_soc = -1, v.max_temp_c = -100;
  v.charge_ah = blocks[0].charge_ah;
  for (const auto& b : blocks) {
    v.voltage_v += b.terminal_v(m.current_a());
    v.min_cell_soc = std::min(v.min_cell_soc, b.soc());
    v.max_cell_soc = std::max(v.max_cell_soc, b.soc());
    v.max_temp_c = std::max(v.max_temp_c, b.temp_c);
    v.charge_ah = std::min(v.charge_ah, b.charge_ah);
  }
  v.rsoc = m.pack().rsoc();
  v.full_charge_ah = m.pack().full_charge_ah();
  v.cycles = m.pack().cycles();
  v.firmware = m.firmware().output();
  return v;
}

}  // namespace essd::sim
