// SPDX-License-Identifier: MIT
#pragma once
// Blocking client for the local API (docs/api.md), shared by essctl and the
// tests. Every wait has a deadline; nothing here blocks forever.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "essd/unique_fd.hpp"

namespace essd::api {

class Client {
 public:
  enum class ErrorKind {
    none,
    unreachable,  // no socket / connection refused: daemon not running
    rejected,     // the daemon refused the connection (too many clients)
    timeout,
    closed,    // the daemon closed the connection
    protocol,  // a line that is not a JSON object
    io,
  };
  struct Error {
    ErrorKind kind = ErrorKind::none;
    std::string message;
  };

  Client() = default;
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&& o) noexcept;
  Client& operator=(Client&& o) noexcept;

  /// Connects and reads the hello banner.
  bool connect(const std::string& path,
               std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Connects without waiting for the banner (tests of limits).
  bool connect_raw(const std::string& path);

  /// Sends `req` with a fresh numeric id (unless it has one) and waits for
  /// the reply with that id; pushes that arrive meanwhile are queued for
  /// next_message(). nullopt on transport errors (see error()).
  std::optional<nlohmann::json> request(
      nlohmann::json req, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// The next message in arrival order (queued pushes first).
  std::optional<nlohmann::json> next_message(std::chrono::milliseconds timeout);

  /// Raw access for protocol tests.
  bool send_raw(const std::string& bytes);
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  const nlohmann::json& hello() const { return hello_; }
  const Error& error() const { return error_; }
  int fd() const { return fd_.get(); }
  bool connected() const { return static_cast<bool>(fd_); }
  void close();

 private:
  bool fail(ErrorKind kind, std::string message);

  UniqueFd fd_;
  std::string inbuf_;
  std::deque<nlohmann::json> pending_;
  nlohmann::json hello_;
  Error error_;
  std::uint64_t next_id_ = 1;
};

/// A human-readable name for an error kind ("daemon not running", ...).
std::string to_string(Client::ErrorKind kind);

}  // namespace essd::api
