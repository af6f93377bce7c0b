// SPDX-License-Identifier: MIT
#pragma once
// Sans-IO request handling (docs/api.md "Messages" and "Commands"): one request
// line in, one reply line out through a callback. No sockets, no clocks; the
// server feeds it lines and the unit tests drive it directly.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/backend.hpp"

namespace essd::api {

inline constexpr std::size_t kMaxLineBytes = 65536;
inline constexpr int kDefaultEventLimit = 100;
inline constexpr int kMaxEventLimit = 1000;
/// Arrays and objects nested deeper than this get bad_request before the
/// request is parsed: copying and serialising a DOM recurses once per level.
inline constexpr int kMaxJsonDepth = 32;

/// The nesting depth of `line` is at most `max_depth` (one pass, no
/// recursion, strings skipped; an unbalanced line passes here and fails to
/// parse).
bool json_depth_within(std::string_view line, int max_depth);

/// What the session must do with one handled request.
struct Reply {
  std::string line;           // one JSON object followed by '\n'
  bool close = false;         // close the connection after sending
  std::optional<bool> watch;  // the watch command's new setting, if any
};

class Dispatcher {
 public:
  using Done = std::function<void(Reply)>;

  explicit Dispatcher(Backend& backend) : backend_(backend) {}

  /// Handle one request line (without its '\n'). `done` is called exactly
  /// once: synchronously for most commands, later (on the loop thread) for
  /// `events`. Never throws.
  void handle(std::string_view line, const Peer& peer, const Done& done);

  /// The reply to a line beyond kMaxLineBytes (the session then closes).
  static Reply line_too_long();
  /// A complete error line; `id` is echoed when not null.
  static std::string error_line(const nlohmann::json* id, std::string_view code,
                                std::string_view message);
  /// A complete success line.
  static std::string ok_line(const nlohmann::json* id, Json result);
  /// Serialises one message as a line; invalid UTF-8 is replaced, never thrown.
  static std::string to_line(const Json& message);

 private:
  void dispatch(const nlohmann::json& req, const nlohmann::json* id, const std::string& cmd,
                const Peer& peer, const Done& done);
  void privileged(const nlohmann::json& req, const nlohmann::json* id, const std::string& cmd,
                  const Peer& peer, const Done& done);
  void events(const nlohmann::json& req, const nlohmann::json* id, const Done& done);
  void modules(const nlohmann::json* id, const Done& done);

  Backend& backend_;
};

}  // namespace essd::api
