// SPDX-License-Identifier: MIT
// ess-sim: the module simulator as its own process, speaking the module bus
// over SocketCAN (--can IFACE) or as a Lawicel SLCAN adapter on a pty
// (--pty; the slave's path is the first line of standard output). Notes go
// to standard error. Exit codes: 0 clean stop, 2 bad usage, 1 runtime failure.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "essd/lifetime.hpp"
#include "essd/module_bus.hpp"
#include "sim/control_server.hpp"
#include "sim/pty_port.hpp"
#include "sim/replay_runner.hpp"
#include "sim/scenario.hpp"
#include "sim/simulator.hpp"
#ifdef ESSD_SIM_HAVE_SOCKETCAN
#include "hal/can/socketcan_bus.hpp"
#endif

namespace {

using namespace essd;
using Clock = std::chrono::steady_clock;

void note(const std::string& s) {
  std::cerr << "ess-sim: " << s << std::endl;
}

/// Steps the simulator every 10 ms of real time and hands its frames on.
class Driver {
 public:
  Driver(boost::asio::io_context& io, sim::Simulator& sim, std::function<void(const CanFrame&)> out)
      : sim_(sim), out_(std::move(out)), timer_(io) {}
  MonoMs now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - origin_).count();
  }
  void start() {
    next_ = Clock::now();
    tick();
  }
  void stop() { timer_.cancel(); }
  void write_heatsink_to(std::string path) { heatsink_file_ = std::move(path); }

 private:
  void tick() {
    sim_.step(now());
    for (const auto& f : sim_.take_frames()) out_(f);
    write_heatsink();
    for (const auto& l : sim_.take_log()) note(l);
    next_ += std::chrono::milliseconds(sim::Simulator::kTickMs);
    if (Clock::now() - next_ > std::chrono::seconds(1)) next_ = Clock::now();
    timer_.expires_at(next_);
    timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    }));
  }
  // Once a second, or at once when the reading moved by 0.1 degC.
  void write_heatsink() {
    if (heatsink_file_.empty()) return;
    const double c = sim_.heatsink_c();
    const MonoMs t = now();
    if (t - heatsink_written_ms_ < 1000 && std::abs(c - heatsink_last_c_) < 0.1) return;
    std::string err;
    if (!sim::write_heatsink_file(heatsink_file_, c, err) && !heatsink_warned_) note(err);
    heatsink_warned_ = !err.empty();
    heatsink_written_ms_ = t;
    heatsink_last_c_ = c;
  }
  std::string heatsink_file_;
  MonoMs heatsink_written_ms_ = -1000000;
  double heatsink_last_c_ = -1000;
  bool heatsink_warned_ = false;
  sim::Simulator& sim_;
  std::function<void(const CanFrame&)> out_;
  boost::asio::steady_timer timer_;
  Lifetime lifetime_;  // guards the tick handler, which captures this
  Clock::time_point origin_ = Clock::now();
  Clock::time_point next_;
};

/// What the command line sets.
struct CommandLine {
  sim::SimOptions opt;
  std::string model = "IJ1001C", topology, can_iface, control_path, heatsink_file;
  bool pty = false;
  sim::ReplayCommandLine replay;  // --replay FILE (replay_main.cpp): played instead of a simulation
};

// The option groups, added in the order --help lists them.

void add_module_options(CLI::App& app, CommandLine& cl) {
  app.add_option("--modules", cl.opt.modules, "number of modules (1-16)")->check(CLI::Range(1, 16));
  app.add_option("--model", cl.model, "IJ1001C | IJ1002C | IJ4001C");
  app.add_option("--topology", cl.topology,
                 "parallel | series | series-parallel (default: parallel, series for IJ4001C)");
}

void add_bus_options(CLI::App& app, CommandLine& cl) {
  auto* can_opt = app.add_option("--can", cl.can_iface, "SocketCAN interface (can0, vcan0)");
  auto* pty_opt = app.add_flag("--pty", cl.pty, "act as an SLCAN adapter on a new pty");
  can_opt->excludes(pty_opt);
  pty_opt->excludes(can_opt);
}

/// What is played: a scenario, or (--replay) a recorded log instead of a
/// simulation.
void add_source_options(CLI::App& app, CommandLine& cl) {
  auto* scenario_opt = app.add_option("--scenario", cl.opt.scenario, "scenario file (TOML)")
                           ->check(CLI::ExistingFile);
  auto* replay_opt =
      app.add_option("--replay", cl.replay.file, "play a candump log (essd --record)")
          ->check(CLI::ExistingFile)
          ->excludes(scenario_opt);
  app.add_flag("--step", cl.replay.options.step,
               "with --replay: play on \"step [N]\" commands (--control, else stdin)")
      ->needs(replay_opt);
  app.add_option("--record-ctrl", cl.replay.options.record_ctrl,
                 "with --replay: candump log of the frames the controller sends")
      ->needs(replay_opt);
}

void add_run_options(CLI::App& app, CommandLine& cl) {
  app.add_option("--heatsink-file", cl.heatsink_file,
                 "write the heatsink reading (millidegrees) for essd's limits.heatsink_sensor");
  app.add_option("--seed", cl.opt.seed, "random seed");
  app.add_option("--speed", cl.opt.speed, "simulated seconds per real second")
      ->check(CLI::Range(0.001, 10000.0));
  app.add_option("--control", cl.control_path, "Unix socket for run-time commands");
  app.add_option("--ambient", cl.opt.ambient_c, "ambient temperature, degC")
      ->check(CLI::Range(-40.0, 80.0));
  app.add_option("--soc", cl.opt.initial_soc_pct, "initial state of charge, %")
      ->check(CLI::Range(0.0, 100.0));
}

/// Parses the command line into `cl`; the exit code when ess-sim is to end
/// at once (0 after --help, 2 for a usage error).
std::optional<int> parse_command_line(int argc, char** argv, CommandLine& cl) {
  CLI::App app{"ess-sim: simulated IJ1001M energy storage modules on the module bus"};
  add_module_options(app, cl);
  add_bus_options(app, cl);
  add_source_options(app, cl);
  add_run_options(app, cl);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (cl.can_iface.empty() && !cl.pty) {
    std::cerr << "ess-sim: one of --can IFACE or --pty is required\n";
    return 2;
  }
  return std::nullopt;
}

/// Sets cl.opt's model and topology from --model and --topology; false,
/// with the reason on stderr, for an unknown or unsupported one.
bool resolve_model(CommandLine& cl) {
  const auto m = model_from_string(cl.model);
  if (!m) {
    std::cerr << "ess-sim: unknown model '" << cl.model << "' (IJ1001C, IJ1002C, IJ4001C)\n";
    return false;
  }
  cl.opt.model = *m;
  if (cl.topology.empty()) {
    cl.opt.topology = *m == Model::ij4001c ? Topology::series : Topology::parallel;
  } else if (const auto t = topology_from_string(cl.topology)) {
    cl.opt.topology = *t;
  } else {
    std::cerr << "ess-sim: unknown topology '" << cl.topology << "'\n";
    return false;
  }
  if (!topology_allowed(cl.opt.model, cl.opt.topology)) {
    std::cerr << "ess-sim: " << cl.model << " does not support " << to_string(cl.opt.topology)
              << "\n";
    return false;
  }
  return true;
}

/// The simulator on its bus: the control socket, the pty or CAN interface
/// its frames go out on and the Driver that steps it, run until SIGINT or
/// SIGTERM.
class Simulation {
 public:
  Simulation(sim::Simulator& sim, const CommandLine& cl) : sim_(sim), cl_(cl) {}
  /// Returns the exit code.
  int run();

 private:
  bool start_control();
  bool open_bus();
  void start();
  void stop();

  sim::Simulator& sim_;
  const CommandLine& cl_;
  // In the order they are set up, so that they are torn down in reverse.
  boost::asio::io_context io_;
  std::unique_ptr<sim::ControlServer> control_;
  std::function<void(const CanFrame&)> out_;
  std::unique_ptr<sim::PtyPort> port_;
  std::unique_ptr<Driver> driver_;
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  std::unique_ptr<hal::SocketCanBus> can_;
#endif
};

int Simulation::run() {
  // Listening before the pty path is printed: a reader of that line may
  // connect to the control socket at once.
  if (!cl_.control_path.empty() && !start_control()) return 1;
  if (!open_bus()) return 1;
  driver_ = std::make_unique<Driver>(io_, sim_, out_);
  driver_->write_heatsink_to(cl_.heatsink_file);

  boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    note("stopping");
    stop();
  });

  const sim::SimOptions& opt = cl_.opt;
  note(std::to_string(opt.modules) + " modules, " + std::string(to_string(opt.model)) + " " +
       std::string(to_string(opt.topology)) + ", speed " + std::to_string(opt.speed) +
       (opt.scenario.empty() ? "" : ", scenario " + opt.scenario));
  start();
  io_.run();
  return 0;
}

/// False, with the reason on stderr, when the socket cannot listen.
bool Simulation::start_control() {
  control_ =
      std::make_unique<sim::ControlServer>(io_, cl_.control_path, [this](const std::string& l) {
        std::string r = sim_.command(l);
        note("control: " + l + " -> " + r.substr(0, 60));
        return r;
      });
  return control_->start_or_report();
}

/// The pty (its slave's path on stdout) or the CAN interface; false, with
/// the reason on stderr, when neither can be had.
bool Simulation::open_bus() {
  if (cl_.pty) {
    port_ = std::make_unique<sim::PtyPort>(
        io_, [this](const CanFrame& f) { sim_.on_frame(f, driver_->now()); }, note);
    try {
      const std::string path = port_->open();
      std::cout << path << std::endl;  // first line of stdout, flushed
    } catch (const std::exception& e) {
      std::cerr << "ess-sim: " << e.what() << "\n";
      return false;
    }
    out_ = [this](const CanFrame& f) { port_->forward(f); };
    return true;
  }
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  // The simulator must hear CTRL (0x080) and nothing else matters to it.
  can_ = std::make_unique<hal::SocketCanBus>(
      io_, cl_.can_iface, 0, 0, hal::SocketCanOptions{.filters = {{0x080, 0x7FF, false}}});
  out_ = [this](const CanFrame& f) { can_->send(f); };
  return true;
#else
  std::cerr << "ess-sim: built without SocketCAN support (essd_hal_can missing)\n";
  return false;
#endif
}

void Simulation::start() {
  if (port_) port_->start();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  if (can_) {
    can_->start([this](const CanFrame& f) { sim_.on_frame(f, driver_->now()); },
                [](hal::LinkState s, const std::string& d) {
                  note("can " + std::string(hal::to_string(s)) + ": " + d);
                });
  }
#endif
  driver_->start();
}

void Simulation::stop() {
  driver_->stop();
  if (port_) port_->stop();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  if (can_) can_->stop();
#endif
  if (control_) control_->stop();
}

int run(int argc, char** argv) {
  CommandLine cl;
  if (const auto rc = parse_command_line(argc, argv, cl)) return *rc;
  if (!cl.replay.file.empty()) {
    cl.replay.can_iface = cl.can_iface;
    cl.replay.control_path = cl.control_path;
    cl.replay.options.speed = cl.opt.speed;
    cl.replay.options.heatsink_file = cl.heatsink_file;
    return sim::run_replay(cl.replay);
  }
  if (!resolve_model(cl)) return 2;

  std::optional<sim::Simulator> simulator;
  try {
    sim::Scenario sc;
    if (!cl.opt.scenario.empty()) sc = sim::load_scenario_file(cl.opt.scenario);
    simulator.emplace(cl.opt, std::move(sc));
  } catch (const std::exception& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return 2;
  }
  Simulation simulation(*simulator, cl);
  return simulation.run();
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a control client hanging up mid-reply
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return 1;
  }
}
