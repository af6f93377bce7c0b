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
#include <memory>
#include <optional>
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

/// The log `file`, parsed; nullopt, with the reason on stderr, when it cannot
/// be read or holds no module frame.
std::optional<ReplayLog> read_log(const std::string& file) {
  try {
    std::ifstream f(file, std::ios::binary);
    if (!f) {
      std::cerr << "ess-sim: cannot read " << file << "\n";
      return std::nullopt;
    }
    std::ostringstream text;
    text << f.rdbuf();
    return parse_replay_log(text.str(), file);
  } catch (const ReplayError& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return std::nullopt;
  }
}

/// The process around a ReplayRunner: the bus side (pty or CAN), the
/// runner, where its commands come from (control socket or stdin), run until
/// SIGINT or SIGTERM.
class ReplayProcess {
 public:
  explicit ReplayProcess(const ReplayCommandLine& cl) : cl_(cl), opt_(cl.options) {}
  /// Returns the exit code.
  int run(ReplayLog log);

 private:
  bool open_bus();
  bool start_control();
  void start();
  void stop();

  const ReplayCommandLine& cl_;
  // In the order they are set up, so that they are torn down in reverse.
  boost::asio::io_context io_;
  std::unique_ptr<PtyPort> port_;
  std::unique_ptr<ReplayRunner> runner_;
  ReplayRunner::Out out_;
  ReplayRunner::Ready ready_ = [] { return true; };
  ReplayOptions opt_;
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  std::unique_ptr<hal::SocketCanBus> can_;
#endif
  std::unique_ptr<ControlServer> control_;
  std::optional<StdinCommands> stdin_commands_;
};

int ReplayProcess::run(ReplayLog log) {
  if (!open_bus()) return 1;
  try {
    runner_ = std::make_unique<ReplayRunner>(io_, std::move(log), opt_, out_, ready_, note);
  } catch (const std::exception& e) {
    std::cerr << "ess-sim: " << e.what() << "\n";
    return 2;
  }
  if (!cl_.control_path.empty() && !start_control()) return 1;
  stdin_commands_.emplace(io_, *runner_);
  if (opt_.step && !control_ && !stdin_commands_->start()) {
    std::cerr << "ess-sim: --step needs --control PATH or commands on standard input\n";
    return 2;
  }
  boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    note("stopping");
    stop();
  });
  start();
  io_.run();
  return 0;
}

/// The pty (its slave's path on stdout) or the CAN interface; false, with
/// the reason on stderr, when neither can be had.
bool ReplayProcess::open_bus() {
  if (cl_.can_iface.empty()) {
    port_ = std::make_unique<PtyPort>(
        io_, [this](const CanFrame& f) { runner_->on_host_frame(f); }, note);
    try {
      std::cout << port_->open() << std::endl;  // first line of stdout, flushed
    } catch (const std::exception& e) {
      std::cerr << "ess-sim: " << e.what() << "\n";
      return false;
    }
    out_ = [this](const CanFrame& f) { port_->forward(f); };
    ready_ = [this] { return port_->channel_open(); };
    return true;
  }
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  opt_.interface = cl_.can_iface;
  can_ = std::make_unique<hal::SocketCanBus>(io_, cl_.can_iface);
  out_ = [this](const CanFrame& f) { can_->send(f); };
  return true;
#else
  std::cerr << "ess-sim: built without SocketCAN support\n";
  return false;
#endif
}

/// False, with the reason on stderr, when the socket cannot listen.
bool ReplayProcess::start_control() {
  control_ = std::make_unique<ControlServer>(
      io_, cl_.control_path, [this](const std::string& l) { return runner_->command(l); });
  return control_->start_or_report();
}

void ReplayProcess::start() {
  if (port_) port_->start();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  if (can_) {
    can_->start([this](const CanFrame& f) { runner_->on_host_frame(f); },
                [](hal::LinkState s, const std::string& d) {
                  note("can " + std::string(hal::to_string(s)) + ": " + d);
                });
  }
#endif
  runner_->start();
}

void ReplayProcess::stop() {
  runner_->stop();
  if (stdin_commands_) stdin_commands_->stop();
  if (port_) port_->stop();
#ifdef ESSD_SIM_HAVE_SOCKETCAN
  if (can_) can_->stop();
#endif
  if (control_) control_->stop();
}

}  // namespace

int run_replay(const ReplayCommandLine& cl) {
  std::optional<ReplayLog> log = read_log(cl.file);
  if (!log) return 2;
  ReplayProcess process(cl);
  return process.run(std::move(*log));
}

}  // namespace essd::sim
