// SPDX-License-Identifier: MIT
#pragma once
// One essd under test, with its own temp dir, config, notify socket and,
// optionally, an ess-sim on a pty speaking SLCAN.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/api_client.hpp"
#include "harness.hpp"

namespace essd::itest {

class Rig {
 public:
  enum class Bus { in_process_sim, pty_sim };

  explicit Rig(Bus bus, int modules = 3) : bus_(bus), modules_(modules) {}
  ~Rig();

  TempDir dir;
  std::string state_file;  // "" = dir/latches.state
  /// The daemon binary (default build/bin/essd) and extra environment.
  std::string essd_binary = bin("essd");
  std::vector<std::string> essd_env;
  /// Appended to the config written by start().
  std::string extra_config;
  /// The pty of the simulator (pty rig, after start()).
  const std::string& pty() const { return pty_; }
  /// With Bus::pty_sim: a pty the test itself serves (no ess-sim started).
  std::string external_pty;
  std::string socket() const { return dir / "essd.sock"; }
  std::string sim_socket() const { return dir / "sim.sock"; }
  std::string config_path() const { return dir / "essd.toml"; }
  std::string log_path() const { return dir / "essd.log"; }

  /// The config written for this rig, with `extra` appended verbatim.
  std::string config_text(const std::string& extra = "") const;
  /// Starts ess-sim (pty rig) and essd; waits for READY=1.
  void start();
  /// Starts essd again (after a kill), same config.
  void start_essd();
  Child& essd() { return essd_; }

  api::Client client();
  nlohmann::json request(api::Client& c, nlohmann::json req);
  nlohmann::json status();
  /// Waits, on a watching client, for a message matching pred; returns it.
  template <typename Pred>
  std::optional<nlohmann::json> wait_message(api::Client& c, Pred pred, Ms timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<Ms>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto m = c.next_message(left);
      if (!m) return std::nullopt;
      if (pred(*m)) return m;
    }
  }
  /// A client with watch enabled (its first status push already consumed).
  api::Client watcher();
  /// Waits until a status push (or the current status) shows both paths closed.
  bool wait_paths_closed(api::Client& watcher, Ms timeout);
  /// All events from the history, paging through it.
  std::vector<nlohmann::json> all_events();
  std::string essctl_path() const { return bin("essctl"); }

 private:
  Bus bus_;
  int modules_;
  Child sim_;
  Child essd_;
  std::string pty_;
  std::unique_ptr<NotifySocket> notify_;
};

/// True when ess-sim's control socket answered "ok ...".
inline bool sim_ok(const std::string& sim_reply) {
  return sim_reply.rfind("ok", 0) == 0;
}

/// Polls the status, paced by the watcher's pushes, until pred holds.
template <typename Pred>
bool wait_status(Rig& rig, api::Client& w, Pred pred, Ms timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred(rig.status())) return true;
    w.next_message(Ms(100));
  }
  return pred(rig.status());
}

/// The events of one kind, in history order.
inline std::vector<nlohmann::json> events_of(const std::vector<nlohmann::json>& all,
                                             const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& e : all) {
    if (e.value("kind", "") == kind) out.push_back(e);
  }
  return out;
}

}  // namespace essd::itest
