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
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
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
  Clock::time_point origin_ = Clock::now();
  Clock::time_point next_;
};

int run(int argc, char** argv) {
  CLI::App app{"ess-sim: simulated IJ1001M energy storage modules on the module bus"};
  sim::SimOptions opt;
  std::string model = "IJ1001C", topology, can_iface, control_path;
  bool pty = false;
  app.add_option("--modules", opt.modules, "number of modules (1-16)")->check(CLI::Range(1, 16));
  app.add_option("--model", model, "IJ1001C | IJ1002C | IJ4001C");
  app.add_option("--topology", topology,
                 "parallel | series | series-parallel (default: parallel, series for IJ4001C)");
  auto* can_opt = app.add_option("--can", can_iface, "SocketCAN interface (can0, vcan0)");
  auto* pty_opt = app.add_flag("--pty", pty, "act as an SLCAN adapter on a new pty");
  can_opt->excludes(pty_opt);
  pty_opt->excludes(can_opt);
  auto* scenario_opt =
      app.add_option("--scenario", opt.scenario, "scenario file (TOML)")->check(CLI::ExistingFile);
  // --replay (replay_main.cpp): play a candump log instead of simulating.
  sim::ReplayCommandLine replay;
  auto* replay_opt = app.add_option("--replay", replay.file, "play a candump log (essd --record)")
                         ->check(CLI::ExistingFile)
                         ->excludes(scenario_opt);
  app.add_flag("--step", replay.options.step,
               "with --replay: play on \"step [N]\" commands (--control, else stdin)")
      ->needs(replay_opt);
  app.add_option("--record-ctrl", replay.options.record_ctrl,
                 "with --replay: candump log of the frames the controller sends")
      ->needs(replay_opt);
  std::string heatsink_file;
  app.add_option("--heatsink-file", heatsink_file,
                 "write the heatsink reading (millidegrees) for essd's limits.heatsink_sensor");
  app.add_option("--seed", opt.seed, "random seed");
  app.add_option("--speed", opt.speed, "simulated seconds per real second")
      ->check(CLI::Range(0.001, 10000.0));
  app.add_option("--control", control_path, "Unix socket for run-time commands");
  app.add_option("--ambient", opt.ambient_c, "ambient temperature, degC")
      ->check(CLI::Range(-40.0, 80.0));
  app.add_option("--soc", opt.initial_soc_pct, "initial state of charge, %")
      ->check(CLI::Range(0.0, 100.0));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (can_iface.empty() && !pty) {
    std::cerr << "ess-sim: one of --can IFACE or --pty is required\n";
    return 2;
  }
  if (!replay.file.empty()) {
    replay.can_iface = can_iface;
    replay.control_path = control_path;
    replay.options.speed = opt.speed;
    replay.options.heatsink_file = heatsink_file;
    return sim::run_replay(replay);
  }
  const auto m = model_from_string(model);
  if (!m) {
    std::cerr << "ess-sim: unknown model '" << model << "' (IJ1001C, IJ1002C, IJ4001C)\n";
    return 2;
  }
  opt.model = *m;
  if (topology.empty()) {
    opt.topology = *m == Model::ij4001c ? Topology::series : Topology::parallel;
  } else if (const auto t = topology_from_string(topology)) {
    opt.topology = *t;
  } else {
    std::cerr << "ess-sim: unknown topology '" << topology << "'\n";
    return 2;
  }
  if (!topology_allowed(opt.model, opt.topology)) {
    std::cerr << "ess-sim: " << model << " does not support " << to_string(opt.topology) << "\n";
    return 2;
  }

  std::optional<sim::Simulator> simulator;
  try {
    sim::Scenario sc;
    if (!opt.scenario.empty()) sc = sim::load_scenario_file(opt.scenario);
    simulator.emplace(opt, std::move(sc));
  } catch (const std::exception& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return 2;
  }
  sim::Simulator& sim = *simulator;

  boost::asio::io_context io;
  // Listening before the pty path is printed: a reader of that line may
  // connect to the control socket at once.
  std::unique_ptr<sim::ControlServer> control;
  if (!control_path.empty()) {
    control = std::make_unique<sim::ControlServer>(io, control_path, [&](const std::string& l) {
      const std::string r = sim.command(l);
      note("control: " + l + " -> " + r.substr(0, 60));
      return r;
    });
    try {
      control->start();
    } catch (const std::exception& e) {
      std::cerr << "ess-sim: " << e.what() << "\n";
      return 1;
    }
  }

  std::function<void(const CanFrame&)> out;
  std::unique_ptr<sim::PtyPort> port;
  std::unique_ptr<Driver> driver;
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  std::unique_ptr<hal::SocketCanBus> can;
#endif
  if (pty) {
    port = std::make_unique<sim::PtyPort>(
        io, [&](const CanFrame& f) { sim.on_frame(f, driver->now()); }, note);
    try {
      const std::string path = port->open();
      std::cout << path << std::endl;  // first line of stdout, flushed
    } catch (const std::exception& e) {
      std::cerr << "ess-sim: " << e.what() << "\n";
      return 1;
    }
    out = [&](const CanFrame& f) { port->forward(f); };
  } else {
#ifdef ESSD_SIM_HAVE_SOCKETCAN
    // The simulator must hear CTRL (0x080) and nothing else matters to it.
    can = std::make_unique<hal::SocketCanBus>(
        io, can_iface, 0, 0, hal::SocketCanOptions{.filters = {{0x080, 0x7FF, false}}});
    out = [&](const CanFrame& f) { can->send(f); };
#else
    std::cerr << "ess-sim: built without SocketCAN support (essd_hal_can missing)\n";
    return 1;
#endif
  }
  driver = std::make_unique<Driver>(io, sim, out);
  driver->write_heatsink_to(heatsink_file);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    note("stopping");
    driver->stop();
    if (port) port->stop();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
    if (can) can->stop();
#endif
    if (control) control->stop();
  });

  note(std::to_string(opt.modules) + " modules, " + std::string(to_string(opt.model)) + " " +
       std::string(to_string(opt.topology)) + ", speed " + std::to_string(opt.speed) +
       (opt.scenario.empty() ? "" : ", scenario " + opt.scenario));
  if (port) port->start();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  if (can) {
    can->start([&](const CanFrame& f) { sim.on_frame(f, driver->now()); },
               [](hal::LinkState s, const std::string& d) {
                 note("can " + std::string(hal::to_string(s)) + ": " + d);
               });
  }
#endif
  driver->start();
  io.run();
  return 0;
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
