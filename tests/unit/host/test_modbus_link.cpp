// SPDX-License-Identifier: MIT
// End to end: a libmodbus RTU *client* on the master side of a pty talks to
// ModbusLink (slave side) running on an io_context in this thread. The
// client's blocking calls run on a helper thread; this thread runs the loop
// until the call returns or a deadline passes (no sleeps).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <modbus.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <functional>
#include <future>

#include "essd/version.hpp"
#include "host/modbus_link.hpp"
#include "host_snapshots.hpp"
#include "rtu_util.hpp"

namespace essd::host::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Pty {
  int master = -1;
  std::string slave_path;
  Pty() {
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return;
    const char* name = ptsname(master);
    if (name) slave_path = name;
  }
  ~Pty() { close_master(); }
  void close_master() {
    if (master >= 0) ::close(master);
    master = -1;
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
};

struct ClientDeleter {
  void operator()(modbus_t* c) const { modbus_free(c); }  // does not close the pty master
};

class ModbusLinkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(pty.slave_path.empty()) << "no pty available"; }

  void make(bool allow_writes, std::string device = {}) {
    HostModbusConfig cfg;
    cfg.enabled = true;
    cfg.device = device.empty() ? pty.slave_path : device;
    cfg.baud = 19200;
    cfg.unit = 1;
    cfg.allow_writes = allow_writes;
    cfg.manufacturer = "Sony";
    cfg.serial = "SN-0042";
    link = std::make_unique<ModbusLink>(io, cfg, "IJ1001C");
    link->update(normal_parallel());
    link->start();
  }
  /// A client on the pty master; its fd is the master, not a path it opens.
  void make_client() {
    client.reset(modbus_new_rtu(pty.slave_path.c_str(), 19200, 'N', 8, 1));
    ASSERT_TRUE(client);
    ASSERT_EQ(modbus_set_socket(client.get(), pty.master), 0);
    ASSERT_EQ(modbus_set_slave(client.get(), 1), 0);
    modbus_set_response_timeout(client.get(), 3, 0);
  }
  /// Runs the loop until pred() or the deadline; returns pred().
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s) {
    const auto deadline = Clock::now() + limit;
    while (!pred() && Clock::now() < deadline) {
      if (io.stopped()) io.restart();
      io.run_one_for(10ms);
    }
    return pred();
  }
  /// Runs a blocking client call on a helper thread while the loop runs here.
  template <class F>
  auto call(F f) {
    auto fut = std::async(std::launch::async, std::move(f));
    EXPECT_TRUE(run_until([&] { return fut.wait_for(0s) == std::future_status::ready; }, 10s));
    return fut.get();
  }
  /// For a call expected to fail: the errno it left on its own thread.
  template <class F>
  int call_errno(F f) {
    const auto [rc, err] = call([f] {
      const int r = f();
      return std::pair<int, int>(r, errno);
    });
    EXPECT_EQ(rc, -1);
    return err;
  }
  std::int64_t counter(const std::string& name) { return link->counters().at(name); }
  std::vector<std::uint8_t> read_master_until(std::size_t n) {
    std::vector<std::uint8_t> got;
    run_until([&] {
      pollfd p{pty.master, POLLIN, 0};
      if (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
        std::uint8_t buf[512];
        const ssize_t r = ::read(pty.master, buf, sizeof buf);
        if (r > 0) got.insert(got.end(), buf, buf + r);
      }
      return got.size() >= n;
    });
    return got;
  }
  void write_master(const std::vector<std::uint8_t>& b) {
    ASSERT_EQ(::write(pty.master, b.data(), b.size()), static_cast<ssize_t>(b.size()));
  }

  boost::asio::io_context io;
  Pty pty;
  std::unique_ptr<ModbusLink> link;
  std::unique_ptr<modbus_t, ClientDeleter> client;
};

TEST_F(ModbusLinkTest, ClientReadsTheWholeSunSpecMap) {
  make(false);
  ASSERT_TRUE(link->is_open());
  make_client();
  std::vector<std::uint16_t> regs(136);
  const int n1 = call([&] { return modbus_read_registers(client.get(), 40000, 125, regs.data()); });
  ASSERT_EQ(n1, 125) << modbus_strerror(errno);
  const int n2 =
      call([&] { return modbus_read_input_registers(client.get(), 40125, 11, regs.data() + 125); });
  ASSERT_EQ(n2, 11) << modbus_strerror(errno);

  // Points checked against the snapshot's values (normal_parallel()).
  EXPECT_EQ(regs[0], 0x5375);
  EXPECT_EQ(regs[1], 0x6E53);
  EXPECT_EQ(regs[2], 1);
  EXPECT_EQ(regs[3], 66);
  EXPECT_EQ(regs[4], ('S' << 8) | 'o');
  EXPECT_EQ(regs[5], ('n' << 8) | 'y');
  EXPECT_EQ(regs[20], ('I' << 8) | 'J');
  EXPECT_EQ(regs[52], ('S' << 8) | 'N');
  EXPECT_EQ(regs[68], 1);  // DA = unit
  EXPECT_EQ(regs[70], 802);
  EXPECT_EQ(regs[71], 62);
  EXPECT_EQ(regs[70 + 11], 800);                              // SoC 80.0 %
  EXPECT_EQ(regs[70 + 22], 3);                                // State CONNECTED
  EXPECT_EQ(regs[70 + 34], 5320);                             // V 53.20
  EXPECT_EQ(static_cast<std::int16_t>(regs[70 + 44]), -240);  // A -24.0
  EXPECT_EQ(regs[70 + 45], 500);                              // AChaMax 50.0
  EXPECT_EQ(regs[134], 0xFFFF);
  EXPECT_EQ(regs[135], 0);

  // And the whole image as the link publishes it.
  SunSpecIdentity id;
  id.manufacturer = "Sony";
  id.model = "IJ1001C";
  id.options = "parallel";
  id.version = std::string(kVersion);
  id.serial = "SN-0042";
  id.device_address = 1;
  const RegisterImage img = build_sunspec_image(normal_parallel(), id);
  for (std::size_t i = 0; i < img.size(); ++i) EXPECT_EQ(regs[i], img[i]) << 40000 + i;
  EXPECT_EQ(counter("replies"), 2);

  // A new snapshot is served on the next read.
  auto s = normal_parallel();
  s.rsoc_pct = 55;
  link->update(s);
  std::uint16_t soc = 0;
  ASSERT_EQ(call([&] { return modbus_read_registers(client.get(), 40081, 1, &soc); }), 1);
  EXPECT_EQ(soc, 550);
}

TEST_F(ModbusLinkTest, RepeatedReadsAllAnswered) {
  make(false);
  make_client();
  constexpr int kReads = 50;
  std::vector<std::uint16_t> regs(125);
  const auto t0 = Clock::now();
  const int ok = call([&] {
    int n = 0;
    for (int i = 0; i < kReads; ++i)
      n += modbus_read_registers(client.get(), 40000, 125, regs.data()) == 125;
    return n;
  });
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
  EXPECT_EQ(ok, kReads);
  EXPECT_EQ(counter("replies"), kReads);
  RecordProperty("mean_round_trip_us", static_cast<int>(us / kReads));
}

TEST_F(ModbusLinkTest, IllegalAddressesAndWritesWhenDisabled) {
  make(false);
  make_client();
  std::uint16_t r[4];
  EXPECT_EQ(call_errno([&] { return modbus_read_registers(client.get(), 39999, 2, r); }),
            EMBXILADD);
  EXPECT_EQ(call_errno([&] { return modbus_read_registers(client.get(), 40134, 3, r); }),
            EMBXILADD);
  EXPECT_EQ(call_errno([&] { return modbus_write_register(client.get(), 40120, 2); }),
            EMBXILADD);  // SetOp
  const std::uint16_t two[2] = {1, 0};
  EXPECT_EQ(call_errno([&] { return modbus_write_registers(client.get(), 40089, 2, two); }),
            EMBXILADD);
  EXPECT_EQ(counter("exceptions"), 4);
  EXPECT_EQ(counter("writes"), 0);
}

TEST_F(ModbusLinkTest, SetOpWritesReachTheCallback) {
  make(true);
  std::vector<bool> calls;
  link->on_set_op([&](bool disconnect) { calls.push_back(disconnect); });
  make_client();
  ASSERT_EQ(call([&] { return modbus_write_register(client.get(), 40120, 2); }), 1);
  EXPECT_EQ(calls, std::vector<bool>{true});
  std::uint16_t v = 0;
  ASSERT_EQ(call([&] { return modbus_read_registers(client.get(), 40120, 1, &v); }), 1);
  EXPECT_EQ(v, 2);
  // A CONNECT right after: it waits for 5 s after the DISCONNECT it ends.
  const auto t_connect = Clock::now();
  ASSERT_EQ(call([&] { return modbus_write_register(client.get(), 40120, 1); }), 1);
  EXPECT_EQ(calls, std::vector<bool>{true});
  EXPECT_TRUE(link->disconnect_in_effect());
  EXPECT_TRUE(run_until([&] { return calls.size() == 2; }, 8s));
  EXPECT_EQ(calls, (std::vector<bool>{true, false}));
  EXPECT_GE(Clock::now() - t_connect, 4900ms);
  EXPECT_EQ(call_errno([&] { return modbus_write_register(client.get(), 40120, 7); }), EMBXILVAL);
  ASSERT_EQ(call([&] { return modbus_write_register(client.get(), 40089, 4242); }), 1);  // CtrlHb
  ASSERT_EQ(call([&] { return modbus_read_registers(client.get(), 40089, 1, &v); }), 1);
  EXPECT_EQ(v, 4242);
  int disconnects = 0, connects = 0, waits = 0;
  for (const auto& e : link->take_events()) {
    disconnects += e.cause == "set_op_disconnect";
    connects += e.cause == "set_op_connect";
    waits += e.cause == "set_op_connect_wait";
  }
  EXPECT_EQ(disconnects, 1);
  EXPECT_EQ(waits, 1);
  EXPECT_EQ(connects, 1);
}

// A DISCONNECT restored from before a restart is in effect at once; a
// CONNECT ends it, but no sooner than 5 s after the restore.
TEST_F(ModbusLinkTest, RestoredDisconnectHoldsAndAToggleCancelsTheWaitingConnect) {
  make(true);
  std::vector<bool> calls;
  link->on_set_op([&](bool disconnect) { calls.push_back(disconnect); });
  link->restore_disconnect();
  EXPECT_TRUE(link->disconnect_in_effect());
  make_client();
  ASSERT_EQ(call([&] { return modbus_write_register(client.get(), 40120, 1); }), 1);
  ASSERT_EQ(call([&] { return modbus_write_register(client.get(), 40120, 2); }), 1);
  EXPECT_TRUE(calls.empty()) << "the CONNECT waited, the DISCONNECT dropped it";
  EXPECT_FALSE(run_until([&] { return !calls.empty(); }, 5500ms));
  EXPECT_TRUE(link->disconnect_in_effect());
}

TEST_F(ModbusLinkTest, BadCrcAndTruncatedFramesAreCountedAndUnanswered) {
  make(false);
  auto bad = req(1, 3, 40000, 2);
  bad[7] ^= 0xFF;
  write_master(bad);
  ASSERT_TRUE(run_until([&] { return counter("crc_errors") == 1; }));
  write_master({0x01, 0x03, 0x9C});  // truncated: ended by the silence timer
  ASSERT_TRUE(run_until([&] { return counter("malformed") == 1; }));
  auto part = req(1, 3, 40000, 2);
  part.resize(6);  // CRC missing
  write_master(part);
  ASSERT_TRUE(run_until([&] { return counter("dropped") == 3; }));
  // The next valid request gets exactly its own reply: nothing was sent before it.
  const auto good = req(1, 3, 40000, 2);
  write_master(good);
  const auto got = read_master_until(9);
  EXPECT_EQ(got, with_crc({0x01, 0x03, 0x04, 0x53, 0x75, 0x6E, 0x53}));
  EXPECT_EQ(counter("replies"), 1);
  EXPECT_EQ(counter("requests"), 1);
}

TEST_F(ModbusLinkTest, TakesItsPortExclusively) {
  // Two daemons (or a stray terminal program) on one RS232C port would each
  // see half of the master's bytes: the link holds the tty with TIOCEXCL.
  make(false);
  ASSERT_TRUE(link->is_open());
  const int fd = ::open(pty.slave_path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    EXPECT_EQ(errno, EBUSY) << "only an exclusive hold refuses a second open";
    return;
  }
  int excl = 0;  // root may open it anyway (CAP_SYS_ADMIN): ask the tty itself
  EXPECT_EQ(::ioctl(fd, TIOCGEXCL, &excl), 0);
  ::close(fd);
  EXPECT_EQ(excl, 1);
}

TEST_F(ModbusLinkTest, OtherUnitIsIgnored) {
  make(false);
  write_master(req(9, 3, 40000, 2));
  write_master(req(1, 3, 40000, 1));
  const auto got = read_master_until(7);
  EXPECT_EQ(got, with_crc({0x01, 0x03, 0x02, 0x53, 0x75}));
  EXPECT_EQ(counter("other_unit"), 1);
}

TEST_F(ModbusLinkTest, DeviceLossIsAnEventAndRetriedEverySecond) {
  // The link opens the pty through a link of our own that we remove on
  // "unplug": a freed /dev/pts/N number may be taken at once by a pty of a
  // test running in parallel, and the link must not reopen that one.
  char dir_template[] = "/tmp/essd-modbus-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string device = std::string(dir_template) + "/ttyHOST";
  ASSERT_EQ(::symlink(pty.slave_path.c_str(), device.c_str()), 0);
  make(false, device);
  ASSERT_TRUE(link->is_open());
  pty.close_master();        // the slave side hangs up...
  ::unlink(device.c_str());  // ...and its device node disappears, as on a USB unplug
  ::rmdir(dir_template);
  ASSERT_TRUE(run_until([&] { return counter("link_errors") == 1; }));
  EXPECT_FALSE(link->is_open());
  // Measure between two retries (not from the loss) so a loaded machine that
  // runs this test late cannot shorten the interval seen.
  ASSERT_TRUE(run_until([&] { return counter("open_failures") >= 1; }, 5s));
  const auto first = counter("open_failures");
  const auto t0 = Clock::now();
  ASSERT_TRUE(run_until([&] { return counter("open_failures") == first + 1; }, 5s));
  EXPECT_GE(Clock::now() - t0, 900ms);  // retried a second later, no spin
  int lost = 0, failed = 0;
  for (const auto& e : link->take_events()) {
    lost += e.cause == "modbus_lost";
    failed += e.cause == "modbus_open_failed";
  }
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(failed, 1);  // one event per outage
}

TEST_F(ModbusLinkTest, MissingDeviceAtStartDoesNotThrow) {
  make(false, "/nonexistent/ttyESSD");
  EXPECT_FALSE(link->is_open());
  EXPECT_EQ(counter("open_failures"), 1);
  link.reset();  // pending reopen timer: its handler must not touch the dead link
  io.run_for(20ms);
}

}  // namespace
}  // namespace essd::host::test
