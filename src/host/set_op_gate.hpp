// SPDX-License-Identifier: MIT
#pragma once
// SunSpec SetOp (model 802) as the controller acts on it, sans-IO.
// docs/host-links.md "RS232C terminal": 2 DISCONNECT opens both paths until 1 CONNECT, and a
// CONNECT takes effect no sooner than 5 s after the DISCONNECT it ends, so a
// host that toggles SetOp cannot make the paths chatter. A DISCONNECT acts at
// once; every DISCONNECT write (also one repeated while already
// disconnected) starts the 5 s again; a CONNECT written sooner waits for the
// rest of the 5 s and is dropped by a DISCONNECT in between.
#include <optional>

#include "essd/time.hpp"

namespace essd::host {

class SetOpGate {
 public:
  static constexpr MonoMs kConnectHoldoffMs = 5000;

  SetOpGate() = default;
  /// A DISCONNECT restored at start counts as written at `now`.
  static SetOpGate restored_disconnect(MonoMs now) {
    SetOpGate g;
    g.write(true, now);
    return g;
  }

  /// A host write (true = DISCONNECT). True when the state in effect changed.
  bool write(bool disconnect, MonoMs now) {
    if (disconnect) {
      last_disconnect_ = now;
      connect_pending_ = false;
      const bool changed = !disconnected_;
      disconnected_ = true;
      return changed;
    }
    if (!disconnected_) return false;
    connect_pending_ = true;
    return poll(now);
  }

  /// Puts a waiting CONNECT into effect once its time has come.
  bool poll(MonoMs now) {
    if (!connect_pending_ || now < last_disconnect_ + kConnectHoldoffMs) return false;
    connect_pending_ = false;
    disconnected_ = false;
    return true;
  }

  /// When a waiting CONNECT takes effect (for the owner's timer).
  std::optional<MonoMs> deadline() const {
    if (!connect_pending_) return std::nullopt;
    return last_disconnect_ + kConnectHoldoffMs;
  }

  bool disconnected() const { return disconnected_; }
  bool connect_pending() const { return connect_pending_; }

 private:
  bool disconnected_ = false;
  bool connect_pending_ = false;
  MonoMs last_disconnect_ = 0;
};

}  // namespace essd::host
