// SPDX-License-Identifier: MIT
// ess-sim --replay: the process around ReplayRunner (pty or SocketCAN,
// control socket, stdin commands in --step mode without --control, signals).
#include <unistd.h>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/streambuf.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "essd/unique_fd.hpp"
#include "sim/control_server.hpp"
#include "sim/pty_port.hpp"
#include "sim/replay_runner.hpp"
#ifdef ESSD_SIM_HAVE_SOCKETCAN
#include "hal/can/socketcan_bus.hpp"
#endif

namespace essd::sim {

namespace {
void note(const std::string& s) {
  std::cerr << "ess-sim: " << s << std::endl;
}

/// --step without --control: one command a line on standard input (an empty
/// line is "step").
class StdinCommands {
 public:
  StdinCommands(boost::asio::io_context& io, ReplayRunner& runner) : in_(io), runner_(runner) {}
  bool start() {
    UniqueFd fd(::dup(0));
    if (!fd) return false;
    boost::system::error_code ec;
    in_.assign(fd.get(), ec);
    if (ec) return false;  // fd closes it
    fd.release();          // the descriptor owns it now
    read();
    return true;
  }
  void stop() {
    boost::system::error_code ec;
    in_.close(ec);
  }

 private:
  void read() {
    boost::asio::async_read_until(
        in_, buf_, '\n', [this](boost::system::error_code ec, std::size_t) {
          if (ec) return;
          std::istream is(&buf_);
          std::string line;
          std::getline(is, line);
          std::cout << runner_.command(line.empty() ? "step" : line) << std::endl;
          read();
        });
  }
  boost::asio::posix::stream_descriptor in_;
  boost::asio::streambuf buf_;
  ReplayRunner& runner_;
};
}  // namespace

int run_replay(const ReplayCommandLine& cl) {
  ReplayLog log;
  try {
    std::ifstream f(cl.file, std::ios::binary);
    if (!f) {
      std::cerr << "ess-sim: cannot read " << cl.file << "\n";
      return 2;
    }
    std::ostringstream text;
    text << f.rdbuf();
    log = parse_replay_log(text.str(), cl.file);
  } catch (const ReplayError& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return 2;
  }
  boost::asio::io_context io;
  std::unique_ptr<PtyPort> port;
  std::unique_ptr<ReplayRunner> runner;
  ReplayRunner::Out out;
  ReplayRunner::Ready ready = [] { return true; };
  ReplayOptions opt = cl.options;
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  std::unique_ptr<hal::SocketCanBus> can;
#endif
  if (cl.can_iface.empty()) {
    port = std::make_unique<PtyPort>(
        io, [&](const CanFrame& f) { runner->on_host_frame(f); }, note);
    try {
      std::cout << port->open() << std::endl;  // first line of stdout, flushed
    } catch (const std::exception& e) {
      std::cerr << "ess-sim: " << e.what() << "\n";
      return 1;
    }
    out = [&](const CanFrame& f) { port->forward(f); };
    ready = [&] { return port->channel_open(); };
  } else {
#ifdef ESSD_SIM_HAVE_SOCKETCAN
    opt.interface = cl.can_iface;
    can = std::make_unique<hal::SocketCanBus>(io, cl.can_iface);
    out = [&](const CanFrame& f) { can->send(f); };
#else
    std::cerr << "ess-sim: built without SocketCAN support\n";
    return 1;
#endif
  }
  try {
    runner = std::make_unique<ReplayRunner>(io, std::move(log), opt, out, ready, note);
  } catch (const std::exception& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return 2;
  }
  std::unique_ptr<ControlServer> control;
  if (!cl.control_path.empty()) {
    control = std::make_unique<ControlServer>(
        io, cl.control_path, [&](const std::string& l) { return runner->command(l); });
    try {
      control->start();
    } catch (const std::exception& e) {
      std::cerr << "ess-sim: " << e.what() << "\n";
      return 1;
    }
  }
  StdinCommands stdin_commands(io, *runner);
  if (opt.step && !control && !stdin_commands.start()) {
    std::cerr << "ess-sim: --step needs --control PATH or commands on standard input\n";
    return 2;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    note("stopping");
    runner->stop();
    stdin_commands.stop();
    if (port) port->stop();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
    if (can) can->stop();
#endif
    if (control) control->stop();
  });
  if (port) port->start();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  if (can) {
    can->start([&](const CanFrame& f) { runner->on_host_frame(f); },
               [](hal::LinkState s, const std::string& d) {
                 note("can " + std::string(hal::to_string(s)) + ": " + d);
               });
  }
#endif
  runner->start();
  io.run();
  return 0;
}

}  // namespace essd::sim
