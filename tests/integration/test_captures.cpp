// SPDX-License-Identifier: MIT
// Golden captures (tests/data/captures/): each recorded module bus is
// replayed by the real ess-sim --replay over a pty into the real essd, and
// the controller events must match NAME.expect (order, keys, time windows).
// ESSD_CAPTURES_WRITE=1 rewrites the expectations from what this essd did
// instead (scripts/make-captures --expect-only).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include "api/api_client.hpp"
#include "capture_expect.hpp"
#include "essd/candump_log.hpp"
#include "harness.hpp"
#include "sim/replay.hpp"

namespace essd::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> capture_names() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ESSD_CAPTURES_DIR, ec)) {
    const auto p = e.path();
    if (p.extension() == ".log" && p.stem().extension().empty()) out.push_back(p.stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string capture_path(const std::string& name, const std::string& ext) {
  return std::string(ESSD_CAPTURES_DIR) + "/" + name + ext;
}

std::vector<json> all_events(const std::string& socket) {
  api::Client c;
  std::vector<json> out;
  if (!c.connect(socket, Ms(5000))) return out;
  std::uint64_t after = 0;
  for (;;) {
    auto r = c.request({{"cmd", "events"}, {"after", after}, {"limit", 1000}}, Ms(10000));
    if (!r || !r->value("ok", false)) break;
    const auto& list = (*r)["result"]["events"];
    for (const auto& e : list) out.push_back(e);
    const auto next = (*r)["result"].value("next", after);
    if (list.empty() || next <= after) break;
    after = next;
  }
  return out;
}

class Capture : public ::testing::TestWithParam<std::string> {};

TEST_P(Capture, ReplayIntoEssdMatchesTheExpectation) {
  const std::string name = GetParam();
  std::string err;
  auto expect = parse_expect(read_file(capture_path(name, ".expect")), err);
  ASSERT_TRUE(expect) << name << ".expect:" << err;
  // The recorded length counts every line (the CTRL frames too): after an
  // auto shut-down the modules are silent and only the controller talks.
  const std::string log_text = read_file(capture_path(name, ".log"));
  (void)sim::parse_replay_log(log_text, name);  // throws on a capture without module frames
  double duration_s = 0;
  {
    std::istringstream in(log_text);
    std::optional<std::int64_t> first;
    for (std::string l; std::getline(in, l);) {
      const auto p = parse_candump_line(l);
      if (p.kind != CandumpLine::Kind::frame) continue;
      if (!first) first = p.logged.time_us;
      duration_s = static_cast<double>(p.logged.time_us - *first) / 1e6;
    }
  }

  TempDir dir;
  std::vector<std::string> sim_argv{bin("ess-sim"), "--replay",      capture_path(name, ".log"),
                                    "--pty",        "--record-ctrl", dir / "ctrl.log"};
  if (expect->heatsink) {
    sim_argv.push_back("--heatsink-file");
    sim_argv.push_back(dir / "heatsink");
  }
  SpawnOptions so;
  so.pipe_stdout = true;
  so.output_file = dir / "sim.log";
  Child sim(sim_argv, so);
  auto pty = sim.read_line(Ms(10000));
  ASSERT_TRUE(pty) << read_file(dir / "sim.log");

  std::vector<std::string> cfg = expect->config;
  cfg.push_back("system.state_file = \"" + (dir / "latches.state") + "\"");
  cfg.push_back("bus.transport = \"slcan\"");
  cfg.push_back("bus.device = \"" + *pty + "\"");
  cfg.push_back("api.socket = \"" + (dir / "essd.sock") + "\"");
  cfg.push_back("api.group = \"nogroup\"");
  cfg.push_back("panel.lcd = \"none\"");
  cfg.push_back("history.path = \"" + (dir / "events.db") + "\"");
  if (expect->heatsink) cfg.push_back("limits.heatsink_sensor = \"" + (dir / "heatsink") + "\"");
  write_file(dir / "essd.toml", config_toml(cfg));

  auto notify = std::make_unique<NotifySocket>(dir / "notify.sock");
  SpawnOptions eo;
  eo.output_file = dir / "essd.log";
  eo.env = {"NOTIFY_SOCKET=" + notify->path()};
  Child essd({bin("essd"), "--config", dir / "essd.toml"}, eo);
  ASSERT_TRUE(notify->wait_for("READY=1", Ms(15000))) << read_file(dir / "essd.log");
  // Nobody reads the notify socket from here on: close it, so that essd's
  // STATUS= datagrams are refused instead of filling its queue.
  notify.reset();

  // Let the capture play out: wait on essd's socket (status pushes) until
  // the recorded time has passed.
  api::Client watch;
  ASSERT_TRUE(watch.connect(dir / "essd.sock", Ms(5000)));
  ASSERT_TRUE(watch.request({{"cmd", "watch"}, {"enable", true}}, Ms(5000)));
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int>(duration_s * 1000) + 300);
  while (std::chrono::steady_clock::now() < end) {
    auto left = std::chrono::duration_cast<Ms>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !watch.next_message(left)) break;
  }
  const auto seen = observed_events(all_events(dir / "essd.sock"), duration_s);
  essd.signal(SIGTERM);
  EXPECT_EQ(essd.wait(Ms(10000)), 0) << read_file(dir / "essd.log");
  sim.signal(SIGTERM);
  (void)sim.wait(Ms(10000));

  // The CTRL frames essd sent back were recorded beside the replay: about
  // one per 100 ms over the whole capture, or, after an auto shut-down, until
  // the modules went quiet (then no CTRL, so that a woken module can talk).
  double ctrl_span_s = duration_s;
  bool shut_down = false;
  for (const auto& s : seen) {
    if (s.key.rfind("auto_shutdown", 0) == 0) shut_down = true;
    if (shut_down && s.key.rfind("module_lost", 0) == 0) ctrl_span_s = s.at_s;
  }
  std::size_t ctrl = 0;
  {
    std::istringstream in(read_file(dir / "ctrl.log"));
    for (std::string l; std::getline(in, l);) {
      auto p = parse_candump_line(l);
      if (p.kind == CandumpLine::Kind::frame && p.logged.frame.id == 0x080) ++ctrl;
    }
  }
  EXPECT_GE(ctrl, static_cast<std::size_t>(ctrl_span_s * 10 * 0.8)) << read_file(dir / "sim.log");

  std::string seen_text;
  for (const auto& s : seen) seen_text += "  " + std::to_string(s.at_s) + " " + s.key + "\n";
  if (const char* w = std::getenv("ESSD_CAPTURES_WRITE"); w && std::string(w) == "1") {
    expect->events = windows_around(seen, 1.5);
    write_file(capture_path(name, ".expect"), format_expect(*expect));
    std::printf("wrote %s.expect (%zu events)\n", name.c_str(), seen.size());
    return;
  }
  ASSERT_FALSE(expect->events.empty()) << name << ".expect lists no events";
  EXPECT_EQ(compare(expect->events, seen), "") << "observed:\n" << seen_text;
}

INSTANTIATE_TEST_SUITE_P(Golden, Capture, ::testing::ValuesIn(capture_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace essd::itest
