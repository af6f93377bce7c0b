// SPDX-License-Identifier: MIT
// Panel HAL against the real kernel, inside the QEMU VM
// (scripts/vm/run-in-vm -i 0x27 -- build/tests/test_vm_panel):
// gpio-sim chips created through configfs, read back and driven through the
// simulator's sysfs; the HD44780 backend on i2c-stub. Skips when the kernel
// has neither (the development container).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "hal/gpio/gpiod_line.hpp"
#include "hal/lcd/hd44780_codec.hpp"
#include "hal/lcd/hd44780_i2c.hpp"
#include "hal/lcd/linux_i2c_device.hpp"

namespace fs = std::filesystem;
namespace essd::hal {
namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::string s;
  std::getline(f, s);
  return s;
}
bool put(const fs::path& p, const std::string& v) {
  std::ofstream f(p);
  f << v;
  f.flush();
  return static_cast<bool>(f);
}

/// One gpio-sim chip with 8 lines, torn down on destruction.
class SimChip {
 public:
  SimChip() {
    const fs::path root = "/sys/kernel/config/gpio-sim";
    if (!fs::exists(root)) return;
    dir_ = root / ("essd-panel-" + std::to_string(::getpid()));
    fs::create_directory(dir_);
    fs::create_directory(dir_ / "gpio-bank0");
    put(dir_ / "gpio-bank0" / "num_lines", "8");
    fs::create_directory(dir_ / "gpio-bank0" / "line3");
    put(dir_ / "gpio-bank0" / "line3" / "name", "ESSD_TEST_CHG");
    if (!put(dir_ / "live", "1")) return;
    chip_ = slurp(dir_ / "gpio-bank0" / "chip_name");
    sysfs_ = fs::path("/sys/devices/platform") / slurp(dir_ / "dev_name") / chip_;
  }
  ~SimChip() {
    if (dir_.empty()) return;
    put(dir_ / "live", "0");
    fs::remove(dir_ / "gpio-bank0" / "line3");
    fs::remove(dir_ / "gpio-bank0");
    fs::remove(dir_);
  }
  bool ok() const { return !chip_.empty() && fs::exists(sysfs_); }
  const std::string& chip() const { return chip_; }
  int value(int line) const {
    return std::stoi(slurp(sysfs_ / ("sim_gpio" + std::to_string(line)) / "value"));
  }
  void pull(int line, bool up) const {
    put(sysfs_ / ("sim_gpio" + std::to_string(line)) / "pull", up ? "pull-up" : "pull-down");
  }
  LineSpec spec(int line, bool active_low = false) const {
    return LineSpec{chip_, static_cast<unsigned>(line), "", active_low};
  }

 private:
  fs::path dir_, sysfs_;
  std::string chip_;
};

#define REQUIRE_SIM(sim) \
  if (!(sim).ok()) GTEST_SKIP() << "no gpio-sim (run inside scripts/vm/run-in-vm)"

TEST(VmGpio, OutputsStartSafeAndFollowSet) {
  SimChip sim;
  REQUIRE_SIM(sim);
  std::string err;
  auto high = GpiodOutputPin::open(sim.spec(0), err);
  ASSERT_TRUE(high) << err;
  auto low = GpiodOutputPin::open(sim.spec(1, true), err);
  ASSERT_TRUE(low) << err;
  EXPECT_EQ(sim.value(0), 0);  // inactive = low
  EXPECT_EQ(sim.value(1), 1);  // active-low: inactive = high
  high->set(true);
  low->set(true);
  EXPECT_EQ(sim.value(0), 1);
  EXPECT_EQ(sim.value(1), 0);
  EXPECT_TRUE(high->get());
  high->set(false);
  low->set(false);
  EXPECT_EQ(sim.value(0), 0);
  EXPECT_EQ(sim.value(1), 1);
  EXPECT_EQ(high->errors() + low->errors(), 0u);
}

TEST(VmGpio, LineByName) {
  SimChip sim;
  REQUIRE_SIM(sim);
  std::string err;
  auto pin = GpiodOutputPin::open(LineSpec{"", std::nullopt, "ESSD_TEST_CHG", false}, err);
  ASSERT_TRUE(pin) << err;
  pin->set(true);
  EXPECT_EQ(sim.value(3), 1);
  EXPECT_FALSE(GpiodOutputPin::open(LineSpec{"", std::nullopt, "NO_SUCH_LINE", false}, err));
  EXPECT_NE(err.find("not found"), std::string::npos);
}

TEST(VmGpio, OutputsReturnToSafeLevelWhenTheHolderIsKilled) {
  SimChip sim;
  REQUIRE_SIM(sim);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the "daemon": drive both paths active, then wait to be killed
    std::string e;
    auto a = GpiodOutputPin::open(sim.spec(0), e);
    auto b = GpiodOutputPin::open(sim.spec(1, true), e);
    if (!a || !b) ::_exit(1);
    a->set(true);
    b->set(true);
    if (::write(p[1], "r", 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(p[1]);
  pollfd pf{p[0], POLLIN, 0};
  ASSERT_EQ(::poll(&pf, 1, 20000), 1);
  char c = 0;
  ASSERT_EQ(::read(p[0], &c, 1), 1);
  ::close(p[0]);
  EXPECT_EQ(sim.value(0), 1);  // active while held
  EXPECT_EQ(sim.value(1), 0);
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(sim.value(0), 0);  // released: back to the safe level
  EXPECT_EQ(sim.value(1), 1);
}

struct Edge {
  bool level;
  MonoMs when;
  MonoMs seen;
};

MonoMs steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs the loop until `n` edges arrived or `ms` passed.
void run_for_edges(boost::asio::io_context& io, const std::vector<Edge>& edges, std::size_t n,
                   int ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (edges.size() < n && std::chrono::steady_clock::now() < end) {
    io.run_one_until(end);
  }
}

TEST(VmGpio, InputEdgesAreDebounced) {
  SimChip sim;
  REQUIRE_SIM(sim);
  sim.pull(4, false);
  boost::asio::io_context io;
  std::string err;
  auto in = GpiodInputPin::open(io, sim.spec(4), InputFilter::button(200), err);
  ASSERT_TRUE(in) << err;
  EXPECT_FALSE(in->get());
  std::vector<Edge> edges;
  in->start([&](bool level, MonoMs when) { edges.push_back({level, when, steady_ms()}); });

  const MonoMs t0 = steady_ms();
  sim.pull(4, true);
  run_for_edges(io, edges, 1, 5000);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_TRUE(edges[0].level);
  EXPECT_TRUE(in->get());
  EXPECT_GE(edges[0].when, t0);                   // the edge's kernel timestamp
  EXPECT_GE(edges[0].seen - edges[0].when, 200);  // reported after the window

  // A pulse much shorter than the window is a bounce: nothing reported.
  sim.pull(4, false);
  sim.pull(4, true);
  run_for_edges(io, edges, 2, 1000);
  EXPECT_EQ(edges.size(), 1u);
  EXPECT_TRUE(in->get());

  sim.pull(4, false);
  run_for_edges(io, edges, 2, 5000);
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_FALSE(edges[1].level);
  in->stop();
}

TEST(VmGpio, ActiveLowInput) {
  SimChip sim;
  REQUIRE_SIM(sim);
  sim.pull(5, true);
  boost::asio::io_context io;
  std::string err;
  // A daemon-style clock: milliseconds since "start", far from steady's epoch.
  const MonoMs origin = steady_ms() - 1000;
  auto in = GpiodInputPin::open(io, sim.spec(5, true), InputFilter::button(30), err,
                                [origin] { return steady_ms() - origin; });
  ASSERT_TRUE(in) << err;
  EXPECT_FALSE(in->get());  // pulled up = inactive
  std::vector<Edge> edges;
  in->start([&](bool level, MonoMs when) { edges.push_back({level, when, steady_ms()}); });
  const MonoMs pressed = steady_ms() - origin;
  sim.pull(5, false);  // button to ground: pressed
  run_for_edges(io, edges, 1, 5000);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_TRUE(edges[0].level);
  // Reported in the caller's time base: the edge, not the report.
  EXPECT_GE(edges[0].when, pressed);
  EXPECT_LE(edges[0].when, edges[0].seen - origin - 30);
}

// docs/core.md "Hard-wired inputs": an OV line that chatters goes unsafe on
// its first low edge (reported with that edge's stamp, at once) and stays
// unsafe while it chatters; only a window of quiet high brings it back.
// Every check is an order of events, not a duration: "with the first edge's
// stamp" = before the second low edge was written; "at once" = within the
// round of the first low edge, while the line is already high again (a
// filter that waited for a steady low would never report it); "after the
// window" = no sooner than a window after the last edge was written.
TEST(VmGpio, ChatteringInterlockGoesUnsafeAtOnceAndStays) {
  SimChip sim;
  REQUIRE_SIM(sim);
  sim.pull(6, true);
  boost::asio::io_context io;
  std::string err;
  // A 1 s window: a stall of the VM between two rounds (5 ms apart) must not
  // pass for a quiet line, however loaded the host is.
  constexpr int kWindowMs = 1000;
  auto in = GpiodInputPin::open(io, sim.spec(6), InputFilter::interlock(kWindowMs, false), err);
  ASSERT_TRUE(in) << err;
  EXPECT_FALSE(in->get());  // unsafe until the safe level held a whole window
  std::vector<Edge> edges;
  in->start([&](bool level, MonoMs when) { edges.push_back({level, when, steady_ms()}); });
  run_for_edges(io, edges, 1, kWindowMs + 5000);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_TRUE(edges[0].level);

  // Chatter: 20 low/high pairs, 5 ms of event loop after each.
  const MonoMs t0 = steady_ms();
  MonoMs second_low_start = 0;
  MonoMs last_high_start = 0;
  std::size_t reports_after_round0 = 0;
  for (int i = 0; i < 20; ++i) {
    if (i == 1) second_low_start = steady_ms();
    sim.pull(6, false);
    io.poll();
    last_high_start = steady_ms();
    sim.pull(6, true);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
    while (std::chrono::steady_clock::now() < until) io.run_one_until(until);
    io.poll();  // whatever is ready, even if the host stalled past `until`
    if (i == 0) reports_after_round0 = edges.size();
    EXPECT_FALSE(in->get()) << "unsafe all through the chatter, round " << i;
  }
  EXPECT_EQ(reports_after_round0, 2u) << "acted on at once, in the first low edge's round";
  ASSERT_GE(edges.size(), 2u);
  EXPECT_FALSE(edges[1].level);
  EXPECT_GE(edges[1].when, t0);
  EXPECT_LT(edges[1].when, second_low_start) << "reported with the first low edge's stamp";
  std::printf("interlock: first low edge to report %lld ms\n",
              static_cast<long long>(edges[1].seen - t0));
  EXPECT_EQ(edges.size(), 2u) << "no safe report while it chatters";
  // Quiet high: safe again after the window, once.
  run_for_edges(io, edges, 3, kWindowMs + 5000);
  ASSERT_EQ(edges.size(), 3u);
  EXPECT_TRUE(edges[2].level);
  EXPECT_GE(edges[2].seen, last_high_start + kWindowMs) << "the whole window after the last edge";
  in->stop();
}

// i2c-stub (-i 0x27): an SMBus-only adapter, so the backend sends one SMBus
// byte per expander byte. The stub keeps the last sent byte as its register
// pointer; with register r preloaded with value r, a receive-byte returns
// the last byte written.
std::string stub_bus() {
  for (const auto& e : fs::directory_iterator("/sys/class/i2c-dev")) {
    if (slurp(e.path() / "name").find("stub") != std::string::npos) {
      return "/dev/" + e.path().filename().string();
    }
  }
  return "";
}

TEST(VmI2c, Hd44780OnI2cStub) {
  if (!fs::exists("/sys/class/i2c-dev")) GTEST_SKIP() << "no i2c-dev";
  const std::string bus = stub_bus();
  if (bus.empty()) GTEST_SKIP() << "no i2c-stub (scripts/vm/run-in-vm -i 0x27)";
  // Preload the stub's registers through a separate fd: register r holds r.
  const int raw = ::open(bus.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  ASSERT_EQ(::ioctl(raw, I2C_SLAVE, 0x27), 0);
  for (int r = 0; r < 256; ++r) {
    i2c_smbus_data d{};
    d.byte = static_cast<std::uint8_t>(r);
    i2c_smbus_ioctl_data a{I2C_SMBUS_WRITE, static_cast<std::uint8_t>(r), I2C_SMBUS_BYTE_DATA, &d};
    ASSERT_EQ(::ioctl(raw, I2C_SMBUS, &a), 0);
  }
  std::string err;
  auto dev = LinuxI2cDevice::open(bus, 0x27, err);
  ASSERT_TRUE(dev) << err;
  EXPECT_TRUE(dev->smbus_only());
  boost::asio::io_context io;
  Hd44780I2c lcd(io, std::move(dev), {true, 10});
  PanelView v;
  v.lines = {"Overall             ", "MODE=DIS   RSOC= 80%", "I= -24.0A           ",
             "V= 53.2V            "};
  lcd.show(v);
  io.run_for(std::chrono::seconds(20));
  EXPECT_TRUE(lcd.idle());
  EXPECT_EQ(lcd.stats().errors, 0u) << lcd.stats().last_error;
  EXPECT_EQ(lcd.stats().transfers, hd44780::init_sequence(true).size() + 4);
  // The last byte on the bus: the end of row 3's run ("V= 53.2V" + spaces).
  const auto last = hd44780::encode_run({3, 0, v.lines[3]}, true).back();
  i2c_smbus_data d{};
  i2c_smbus_ioctl_data a{I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, &d};  // receive byte
  ASSERT_EQ(::ioctl(raw, I2C_SMBUS, &a), 0);
  ::close(raw);
  const unsigned got = d.byte;
  EXPECT_EQ(got, last);

  // No device at 0x28: every transfer is refused, counted, retried later.
  auto absent = LinuxI2cDevice::open(bus, 0x28, err);
  ASSERT_TRUE(absent) << err;
  boost::asio::io_context io2;
  Hd44780I2c none(io2, std::move(absent), {true, 10});
  none.show(v);
  io2.run_for(std::chrono::milliseconds(300));
  EXPECT_GE(none.stats().errors, 2u);
  EXPECT_EQ(none.stats().transfers, 0u);
}

}  // namespace
}  // namespace essd::hal
