// SPDX-License-Identifier: MIT
// The safety edges through the real binaries (issue 12 items 7 and 11,
// issue 18 item 9): internal errors end with both paths open and a final
// CTRL; a SunSpec SetOp host cannot make the paths chatter, and its
// DISCONNECT stands across a restart.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <modbus.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <poll.h>

#include <mutex>
#include <thread>

#include "rig.hpp"
#include "scenarios.hpp"

namespace essd::itest {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

bool sim_paths(Rig& rig, const std::string& want) {
  return sim_control(rig.sim_socket(), "status").find("paths=" + want) != std::string::npos;
}

/// Polls the simulator's view of the last CTRL, paced on the daemon's pushes.
bool wait_sim_paths(Rig& rig, api::Client& w, const std::string& want, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (sim_paths(rig, want)) return true;
    w.next_message(Ms(100));
  }
  return sim_paths(rig, want);
}

// ---- item 7: internal errors -------------------------------------------

struct Fault {
  const char* name;
  int exit_code;  // -1: any non-zero
};

class InternalError : public ::testing::TestWithParam<Fault> {};

// essd-fault-injection is essd plus a SIGUSR2 hook compiled only into that
// test binary (src/daemon/fault_injection.hpp): the fault happens on the
// loop thread, as a bug would. The simulator reports the last CTRL it heard.
TEST_P(InternalError, PathsOpenAndFinalCtrlBeforeANonZeroExit) {
  const Fault f = GetParam();
  Rig rig(Rig::Bus::pty_sim, 2);
  rig.essd_binary = ESSD_FAULT_BIN;
  rig.essd_env = {std::string("ESSD_FAULT=") + f.name};
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  ASSERT_TRUE(wait_sim_paths(rig, w, "CD", Ms(3000))) << "the modules heard the paths closed";

  rig.essd().signal(SIGUSR2);
  const auto code = rig.essd().wait(Ms(10000));
  ASSERT_TRUE(code) << "essd did not exit";
  EXPECT_NE(*code, 0);
  if (f.exit_code >= 0) {
    EXPECT_EQ(*code, f.exit_code);
  }
  // No CTRL can come after the exit: when the simulator has read what is
  // still in the pty, the last CTRL it heard is the final one.
  bool open = false;
  for (const auto deadline = Clock::now() + Ms(3000); !open && Clock::now() < deadline;) {
    open = sim_paths(rig, "--");  // each query is a round trip to ess-sim
  }
  EXPECT_TRUE(open) << "the final CTRL says both paths open";
  const std::string log = read_file(rig.log_path());
  EXPECT_NE(log.find("driving both paths open"), std::string::npos) << log;
  EXPECT_NE(log.find("final CTRL sent (mode 0, both paths open)"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(Faults, InternalError,
                         ::testing::Values(Fault{"throw", 1}, Fault{"terminate", 128 + SIGABRT},
                                           Fault{"invariant", 128 + SIGABRT}, Fault{"segv", -1}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- issue 18 item 9 and issue 12 item 11: SetOp -------------------------

/// A pty whose slave essd opens as its Modbus RTU port; the test's libmodbus
/// client talks on the master.
class ModbusHost {
 public:
  ModbusHost() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    if (const char* n = ::ptsname(master_)) slave_ = n;
    ctx_ = modbus_new_rtu(slave_.c_str(), 19200, 'N', 8, 1);
    if (!ctx_) return;
    modbus_set_socket(ctx_, master_);
    modbus_set_slave(ctx_, 1);
    modbus_set_response_timeout(ctx_, 3, 0);
  }
  ~ModbusHost() {
    if (ctx_) modbus_free(ctx_);  // does not close the master
    if (master_ >= 0) ::close(master_);
  }
  ModbusHost(const ModbusHost&) = delete;
  ModbusHost& operator=(const ModbusHost&) = delete;
  bool ok() const { return ctx_ != nullptr; }
  const std::string& slave() const { return slave_; }
  /// SetOp (model 802 point 50 = PDU address 40120): 2 DISCONNECT, 1 CONNECT.
  bool set_op(int value) { return modbus_write_register(ctx_, 40120, value) == 1; }
  std::string config() const {
    return "[host.modbus]\nenabled = true\ndevice = \"" + slave_ +
           "\"\nbaud = 19200\nallow_writes = true\n";
  }

 private:
  int master_ = -1;
  std::string slave_;
  modbus_t* ctx_ = nullptr;
};

int count_events(const std::vector<json>& events, const std::string& kind, std::uint64_t after) {
  int n = 0;
  for (const auto& e : events) {
    if (e.value("kind", "") == kind && e["seq"].get<std::uint64_t>() > after) ++n;
  }
  return n;
}

std::uint64_t last_seq(const std::vector<json>& events) {
  return events.empty() ? 0 : events.back()["seq"].get<std::uint64_t>();
}

/// Retries a SetOp write while essd (re)opens its end of the pty.
bool set_op_retrying(ModbusHost& host, int value, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (host.set_op(value)) return true;
  }
  return false;
}

// issue 18: SetOp toggled 40 times in 24 s gave 84 path closes. A CONNECT now
// takes effect no sooner than 5 s after the DISCONNECT it ends.
TEST(SetOp, FortyTogglesInTwentyFourSecondsCloseThePathsOnce) {
  ModbusHost host;
  ASSERT_TRUE(host.ok()) << "no pty";
  Rig rig(Rig::Bus::pty_sim, 2);
  rig.extra_config = host.config();
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  const std::uint64_t before = last_seq(rig.all_events());

  Clock::time_point last_disconnect{};
  for (int i = 0; i < 40; ++i) {
    const bool disconnect = i % 2 == 0;
    ASSERT_TRUE(set_op_retrying(host, disconnect ? 2 : 1, Ms(5000))) << "write " << i;
    if (disconnect) last_disconnect = Clock::now();
    // The host's pace (600 ms per write), not a wait for a result.
    std::this_thread::sleep_for(Ms(600));
  }
  auto during = rig.all_events();
  EXPECT_EQ(count_events(during, "path_close", before), 0) << "no close while it toggles";
  EXPECT_EQ(count_events(during, "path_open", before), 2) << "one open per path, at once";
  // The last write was CONNECT: it takes effect 5 s after the last DISCONNECT.
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000)));
  EXPECT_GE(Clock::now() - last_disconnect, Ms(4900));
  EXPECT_EQ(count_events(rig.all_events(), "path_close", before), 2) << "one close per path";
}

/// The paths closed, then the host's DISCONNECT, persisted off the loop:
/// waits for the file, kills essd without a goodbye and starts it again.
void disconnect_then_restart(Rig& rig, ModbusHost& host) {
  {
    auto w = rig.watcher();
    ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  }
  ASSERT_TRUE(set_op_retrying(host, 2, Ms(5000)));
  const std::string file = rig.dir / "latches.state.setop";
  const auto deadline = Clock::now() + Ms(5000);
  {
    auto pace = rig.watcher();
    while (read_file(file).find("disconnect 1") == std::string::npos && Clock::now() < deadline) {
      pace.next_message(Ms(50));  // the daemon's pushes pace the polling
    }
  }
  ASSERT_NE(read_file(file).find("disconnect 1"), std::string::npos);
  rig.essd().signal(SIGKILL);
  rig.essd().wait(Ms(5000));
  rig.start_essd();
}

// docs/host-links.md: a DISCONNECT stands across a restart of the daemon.
TEST(SetOp, DisconnectStandsAcrossARestart) {
  ModbusHost host;
  ASSERT_TRUE(host.ok()) << "no pty";
  Rig rig(Rig::Bus::pty_sim, 2);
  rig.extra_config = host.config();
  rig.start();
  ASSERT_NO_FATAL_FAILURE(disconnect_then_restart(rig, host));
  auto w = rig.watcher();
  // The modules connect again, but the DISCONNECT keeps both paths open.
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["modules_connected"] == 2; }, Ms(15000)));
  EXPECT_FALSE(rig.wait_paths_closed(w, Ms(3000))) << "a restart must not end a DISCONNECT";
  auto s = rig.status();
  EXPECT_NE(s["charge"]["blocked_by"].dump().find("host_disconnect"), std::string::npos) << s;
  // The host ends it: CONNECT (5 s after the restore at the latest).
  ASSERT_TRUE(set_op_retrying(host, 1, Ms(5000)));
  EXPECT_TRUE(rig.wait_paths_closed(w, Ms(15000)));
}

// A DISCONNECT restored at start stands across a fresh start after the auto
// shut-down too (the fresh controller gets it again, as it gets one the host
// wrote since the start).
TEST(SetOp, RestoredDisconnectStandsAcrossAFreshStart) {
  ModbusHost host;
  ASSERT_TRUE(host.ok()) << "no pty";
  Rig rig(Rig::Bus::pty_sim, 2);
  rig.extra_config = host.config() + "[limits]\nauto_shutdown_s = 10\n";
  rig.start();
  ASSERT_NO_FATAL_FAILURE(disconnect_then_restart(rig, host));
  auto w = rig.watcher();
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["modules_connected"] == 2; }, Ms(15000)));
  // The auto shut-down, then a charger wakes the modules: a fresh start.
  ASSERT_NO_FATAL_FAILURE(auto_shutdown_then_wake(rig, w, 2));
  ASSERT_TRUE(wait_status(
      rig, w, [](const json& s) { return s["modules_connected"] == 2; }, Ms(15000)));
  EXPECT_FALSE(rig.wait_paths_closed(w, Ms(3000))) << "a fresh start must not end a DISCONNECT";
  auto s = rig.status();
  EXPECT_NE(s["charge"]["blocked_by"].dump().find("host_disconnect"), std::string::npos) << s;
}

// ---- issue 12 item 11: Pylontech frames carry the state when sent ------------

/// An SLCAN adapter on a pty master, for essd's host CAN link: answers the
/// set-up commands, collects the frames essd sends, with their arrival time.
class SlcanHost {
 public:
  struct Rx {
    Clock::time_point at;
    std::uint32_t id;
    std::vector<std::uint8_t> data;
  };
  SlcanHost() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    if (const char* n = ::ptsname(master_)) slave_ = n;
    if (::pipe2(stop_, O_CLOEXEC) != 0) return;
    reader_ = std::thread([this] { run(); });
  }
  ~SlcanHost() {
    if (stop_[1] >= 0) {
      ssize_t r = ::write(stop_[1], "x", 1);
      (void)r;
    }
    if (reader_.joinable()) reader_.join();
    for (int fd : {master_, stop_[0], stop_[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
  SlcanHost(const SlcanHost&) = delete;
  SlcanHost& operator=(const SlcanHost&) = delete;
  const std::string& slave() const { return slave_; }
  std::vector<Rx> frames() {
    std::lock_guard lk(mu_);
    return frames_;
  }

 private:
  void run() {
    std::string line;
    for (;;) {
      pollfd p[2] = {{master_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(p, 2, 1000) < 0 || (p[1].revents & POLLIN)) return;
      if (!(p[0].revents & POLLIN)) continue;
      char buf[512];
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) continue;  // the slave is not open yet (EIO): poll again
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] != '\r') {
          line += buf[i];
          continue;
        }
        on_line(line);
        line.clear();
      }
    }
  }
  void on_line(const std::string& l) {
    if (l.empty()) return;
    if (l[0] != 't') {  // C, S6, O: the adapter says OK
      ssize_t r = ::write(master_, "\r", 1);
      (void)r;
      return;
    }
    if (l.size() < 5) return;
    Rx rx{Clock::now(), static_cast<std::uint32_t>(std::stoul(l.substr(1, 3), nullptr, 16)), {}};
    const int len = l[4] - '0';
    for (int i = 0; i < len && 5 + 2 * i + 1 < static_cast<int>(l.size()); ++i) {
      rx.data.push_back(static_cast<std::uint8_t>(std::stoul(l.substr(5 + 2 * i, 2), nullptr, 16)));
    }
    std::lock_guard lk(mu_);
    frames_.push_back(std::move(rx));
  }

  int master_ = -1;
  int stop_[2] = {-1, -1};
  std::string slave_;
  std::thread reader_;
  std::mutex mu_;
  std::vector<Rx> frames_;
};

int ccl_deciamps(const SlcanHost::Rx& f) {
  return static_cast<std::int16_t>(f.data[2] | (f.data[3] << 8));
}
int dcl_deciamps(const SlcanHost::Rx& f) {
  return static_cast<std::int16_t>(f.data[4] | (f.data[5] << 8));
}

/// The first frame with `id` that arrived after `t`, waiting up to `timeout`.
std::optional<SlcanHost::Rx> frame_after(SlcanHost& host, api::Client& pace, std::uint32_t id,
                                         Clock::time_point t, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (const auto& f : host.frames()) {
      if (f.id == id && f.at > t && f.data.size() >= (id == 0x35C ? 2u : 8u)) return f;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    pace.next_message(Ms(50));
  }
}

TEST(HostCan, FramesCarryTheStateWhenSentAndAPathOpeningGoesOutAtOnce) {
  SlcanHost host;
  ASSERT_FALSE(host.slave().empty()) << "no pty";
  Rig rig(Rig::Bus::pty_sim, 2);
  // The longest period (5 s), so that a set sent at once cannot be the period's.
  rig.extra_config = "[host.can]\nenabled = true\ntransport = \"slcan\"\ndevice = \"" +
                     host.slave() + "\"\nperiod_ms = 5000\n";
  rig.start();
  auto w = rig.watcher();
  ASSERT_TRUE(rig.wait_paths_closed(w, Ms(15000))) << read_file(rig.log_path());
  const auto closed_at = Clock::now();
  // The first set after the close: both modules, no system error, CCL > 0.
  auto limits = frame_after(host, w, 0x351, closed_at, Ms(7000));
  auto alarms = frame_after(host, w, 0x359, closed_at, Ms(7000));
  ASSERT_TRUE(limits && alarms) << read_file(rig.log_path());
  EXPECT_GT(ccl_deciamps(*limits), 0);
  EXPECT_GT(dcl_deciamps(*limits), 0);
  EXPECT_EQ(alarms->data[4], 2) << "modules connected";
  EXPECT_EQ(alarms->data[1] & 0x08, 0) << "no system error";
  const auto last_period = limits->at;

  // A module drops: both paths open, and the whole set goes out at once.
  ASSERT_EQ(sim_control(rig.sim_socket(), "drop 1").rfind("ok", 0), 0u);
  auto opened = rig.wait_message(
      w, [](const json& m) { return m.contains("event") && m["event"]["kind"] == "path_open"; },
      Ms(5000));
  ASSERT_TRUE(opened);
  const auto open_at = Clock::now();
  limits = frame_after(host, w, 0x351, last_period, Ms(3000));
  ASSERT_TRUE(limits) << "no frame set after the path opened";
  EXPECT_LT(limits->at, last_period + Ms(4000)) << "sent at once, not a period later";
  EXPECT_LT(std::chrono::duration_cast<Ms>(limits->at - open_at).count(), 1000);
  EXPECT_EQ(ccl_deciamps(*limits), 0);
  EXPECT_EQ(dcl_deciamps(*limits), 0);
  // (The module's going silent opens the paths through its lines before
  // its loss is declared: the frames say what holds at that moment.)
  auto enables = frame_after(host, w, 0x35C, limits->at - std::chrono::microseconds(1), Ms(3000));
  ASSERT_TRUE(enables);
  EXPECT_EQ(enables->data[0] & 0xC0, 0) << "charge and discharge enable both 0";
  // The next six frames from there are the whole set, in order (no wall-clock
  // window: the ASan build writes them more slowly).
  const std::vector<std::uint32_t> set{0x351, 0x355, 0x356, 0x359, 0x35C, 0x35E};
  std::vector<std::uint32_t> ids;
  const bool complete = itest::poll_until(
      [&] {
        ids.clear();
        for (const auto& f : host.frames()) {
          if (f.at >= limits->at && ids.size() < set.size()) ids.push_back(f.id);
        }
        return ids.size() == set.size();
      },
      Ms(3000));
  EXPECT_TRUE(complete);
  EXPECT_EQ(ids, set) << "the whole frame set";
}

}  // namespace
}  // namespace essd::itest
