// SPDX-License-Identifier: MIT
#pragma once
// What the API needs from the daemon. The dispatcher is sans-IO and talks
// only to this interface; src/daemon implements it over the controller,
// panel, history and bus, and the unit tests implement it with a fake.
#include <sys/types.h>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/json_mapping.hpp"
#include "essd/panel_view.hpp"
#include "essd/system_state.hpp"

namespace essd::api {

/// The connected client, from SO_PEERCRED at accept time.
struct Peer {
  pid_t pid = 0;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  bool privileged = false;  // root or member of api.admin_group
};

/// Why a privileged action failed: a docs/api.md error code and a human message.
struct ActionError {
  std::string code;  // "invalid_argument", "unavailable", "internal"
  std::string message;
};
/// nullopt = done.
using ActionResult = std::optional<ActionError>;

class Backend {
 public:
  using EventsDone =
      std::function<void(std::vector<EventRecord> events, std::uint64_t next, std::string error)>;

  virtual ~Backend() = default;

  virtual std::string model_name() const = 0;
  virtual SystemSnapshot snapshot() = 0;
  virtual TimeRef time_ref() const = 0;
  virtual std::int64_t uptime_s() const = 0;
  virtual PanelView display() = 0;
  virtual nlohmann::json counters() = 0;
  /// Asynchronous (the history lives on a worker); `done` runs on the loop
  /// thread, possibly before events() returns. A non-empty error means the
  /// history is unavailable.
  virtual void events(std::optional<std::uint64_t> after, int limit, EventsDone done) = 0;

  /// Builds a heavy reply line (`build` owns everything it reads) off the
  /// loop thread where the daemon has a worker for it, then calls `done`
  /// with it on the loop thread. The default builds it at once (unit tests,
  /// fuzzing).
  // NOLINTNEXTLINE(performance-unnecessary-value-param): overrides move both to a worker
  virtual void render(std::function<std::string()> build, std::function<void(std::string)> done) {
    done(build());
  }

  /// Every privileged request, allowed or not, is reported here first so the
  /// daemon can log it and keep it as an event with the peer's uid and pid.
  virtual void audit(const Peer& peer, const std::string& cmd, const std::string& detail,
                     bool allowed) = 0;
  virtual ActionResult maintenance(bool on, const Peer& peer) = 0;
  virtual ActionResult button(Press press, const Peer& peer) = 0;
  virtual ActionResult reload(const Peer& peer) = 0;
  /// Start (`on`, to `path`) or stop recording the module bus. Not pure so
  /// that test fakes need not implement it.
  virtual ActionResult record_bus(bool on, const std::string& path, const Peer& peer) {
    (void)on, (void)path, (void)peer;
    return ActionError{"unavailable", "this daemon cannot record the bus"};
  }
};

}  // namespace essd::api
