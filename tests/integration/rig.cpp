// SPDX-License-Identifier: MIT
#include "rig.hpp"

#include <signal.h>

namespace essd::itest {

using nlohmann::json;

Rig::~Rig() {
  essd_.signal(SIGKILL);
  sim_.signal(SIGKILL);
}

std::string Rig::config_text(const std::string& extra) const {
  const std::string state = state_file.empty() ? dir / "latches.state" : state_file;
  std::string t = "[system]\nstate_file = \"" + state + "\"\n";
  if (bus_ == Bus::pty_sim) {
    t += "[bus]\ntransport = \"slcan\"\ndevice = \"" + pty_ + "\"\n";
  }
  t += "[api]\nsocket = \"" + socket() + "\"\ngroup = \"nogroup\"\n";
  t += "[panel]\nlcd = \"none\"\n";
  t += "[history]\npath = \"" + (dir / "events.db") + "\"\n";
  return t + extra;
}

void Rig::start() {
  if (bus_ == Bus::pty_sim && !external_pty.empty()) {
    pty_ = external_pty;
  } else if (bus_ == Bus::pty_sim) {
    SpawnOptions o;
    o.pipe_stdout = true;
    o.output_file = dir / "sim.log";
    sim_ = Child(
        {bin("ess-sim"), "--pty", "--modules", std::to_string(modules_), "--control", sim_socket()},
        o);
    auto line = sim_.read_line(Ms(10000));
    ASSERT_TRUE(line) << "ess-sim printed no pty path; log:\n" << read_file(dir / "sim.log");
    pty_ = *line;
  }
  write_file(config_path(), config_text(extra_config));
  start_essd();
}

void Rig::start_essd() {
  notify_.reset();
  ::unlink((dir / "notify.sock").c_str());
  notify_ = std::make_unique<NotifySocket>(dir / "notify.sock");
  SpawnOptions o;
  o.output_file = log_path();
  o.env = {"NOTIFY_SOCKET=" + notify_->path()};
  o.env.insert(o.env.end(), essd_env.begin(), essd_env.end());
  std::vector<std::string> argv{essd_binary, "--config", config_path()};
  if (bus_ == Bus::in_process_sim) {
    argv.push_back("--sim");
    argv.push_back(std::to_string(modules_));
  }
  essd_ = Child(argv, o);
  ASSERT_TRUE(notify_->wait_for("READY=1", Ms(15000))) << "essd not ready; log:\n"
                                                       << read_file(log_path());
}

api::Client Rig::client() {
  api::Client c;
  EXPECT_TRUE(c.connect(socket(), Ms(5000))) << c.error().message;
  return c;
}

json Rig::request(api::Client& c, json req) {
  auto r = c.request(std::move(req), Ms(10000));
  EXPECT_TRUE(r) << c.error().message;
  return r ? *r : json();
}

json Rig::status() {
  auto c = client();
  auto r = request(c, {{"cmd", "status"}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  return r["result"];
}

api::Client Rig::watcher() {
  auto c = client();
  auto r = request(c, {{"cmd", "watch"}, {"enable", true}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  return c;
}

bool Rig::wait_paths_closed(api::Client& w, Ms timeout) {
  auto closed = [](const json& s) {
    return s["charge"].value("closed", false) && s["discharge"].value("closed", false);
  };
  if (closed(status())) return true;
  return wait_message(
             w, [&](const json& m) { return m.contains("status") && closed(m["status"]); }, timeout)
      .has_value();
}

std::vector<json> Rig::all_events() {
  auto c = client();
  std::vector<json> out;
  std::uint64_t after = 0;
  for (;;) {
    auto r = request(c, {{"cmd", "events"}, {"after", after}, {"limit", 1000}});
    if (!r.value("ok", false)) break;
    auto list = r["result"]["events"];
    for (auto& e : list) out.push_back(e);
    auto next = r["result"].value("next", after);
    if (list.empty() || next <= after) break;
    after = next;
  }
  return out;
}

}  // namespace essd::itest
