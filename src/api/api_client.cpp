// SPDX-License-Identifier: MIT
#include "api/api_client.hpp"
#include "essd/errno_text.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace essd::api {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string to_string(Client::ErrorKind kind) {
  switch (kind) {
    case Client::ErrorKind::none:
      return "no error";
    case Client::ErrorKind::unreachable:
      return "daemon not running or socket unreachable";
    case Client::ErrorKind::rejected:
      return "connection refused by the daemon";
    case Client::ErrorKind::timeout:
      return "timed out waiting for the daemon";
    case Client::ErrorKind::closed:
      return "connection closed by the daemon";
    case Client::ErrorKind::protocol:
      return "protocol error";
    case Client::ErrorKind::io:
      return "I/O error";
  }
  return "?";
}

Client::~Client() {
  close();
}

Client::Client(Client&& o) noexcept
    : fd_(std::move(o.fd_)),
      inbuf_(std::move(o.inbuf_)),
      pending_(std::move(o.pending_)),
      hello_(std::move(o.hello_)),
      error_(std::move(o.error_)),
      next_id_(o.next_id_) {}

Client& Client::operator=(Client&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::move(o.fd_);
    inbuf_ = std::move(o.inbuf_);
    pending_ = std::move(o.pending_);
    hello_ = std::move(o.hello_);
    error_ = std::move(o.error_);
    next_id_ = o.next_id_;
  }
  return *this;
}

void Client::close() {
  fd_.reset();
  inbuf_.clear();
  pending_.clear();
}

bool Client::fail(ErrorKind kind, std::string message) {
  error_ = Error{kind, std::move(message)};
  return false;
}

bool Client::connect_raw(const std::string& path) {
  close();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return fail(ErrorKind::unreachable, "socket path \"" + path + "\" is invalid");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd_) return fail(ErrorKind::io, errno_text("socket()"));
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    close();
    // ENOENT/ECONNREFUSED: not running; EACCES: not in the socket's group.
    return fail(ErrorKind::unreachable, "cannot connect to " + path + ": " + std::strerror(e));
  }
  return true;
}

bool Client::connect(const std::string& path, std::chrono::milliseconds timeout) {
  if (!connect_raw(path)) return false;
  auto msg = next_message(timeout);
  if (!msg) return false;
  if (msg->contains("hello")) {
    hello_ = (*msg)["hello"];
    return true;
  }
  std::string text = "unexpected first message";
  if (msg->contains("error") && (*msg)["error"].is_object()) {
    text = (*msg)["error"].value("message", text);
  }
  close();
  return fail(ErrorKind::rejected, text);
}

bool Client::send_raw(const std::string& bytes) {
  if (fd_.get() < 0) return fail(ErrorKind::closed, "not connected");
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_.get(), bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorKind::closed, errno_text("send"));
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::string> Client::read_line(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto nl = inbuf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = inbuf_.substr(0, nl);
      inbuf_.erase(0, nl + 1);
      return line;
    }
    if (fd_.get() < 0) {
      fail(ErrorKind::closed, "not connected");
      return std::nullopt;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    pollfd p{fd_.get(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0) {
      if (errno == EINTR) continue;
      fail(ErrorKind::io, errno_text("poll"));
      return std::nullopt;
    }
    if (r == 0) {
      fail(ErrorKind::timeout, "no reply within " + std::to_string(timeout.count()) + " ms");
      return std::nullopt;
    }
    char buf[8192];
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      fail(ErrorKind::closed, errno_text("recv"));
      return std::nullopt;
    }
    if (n == 0) {
      fail(ErrorKind::closed, "connection closed by the daemon");
      return std::nullopt;
    }
    inbuf_.append(buf, static_cast<std::size_t>(n));
  }
}

std::optional<json> Client::next_message(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) {
    json j = std::move(pending_.front());
    pending_.pop_front();
    return j;
  }
  auto line = read_line(timeout);
  if (!line) return std::nullopt;
  json j = json::parse(*line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    fail(ErrorKind::protocol, "daemon sent a line that is not a JSON object");
    return std::nullopt;
  }
  return j;
}

std::optional<json> Client::request(json req, std::chrono::milliseconds timeout) {
  if (!req.contains("id")) req["id"] = next_id_++;
  json id = req["id"];
  if (!send_raw(req.dump() + "\n")) return std::nullopt;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    auto line = read_line(left);
    if (!line) return std::nullopt;
    json j = json::parse(*line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      fail(ErrorKind::protocol, "daemon sent a line that is not a JSON object");
      return std::nullopt;
    }
    // Replies carry "ok"; pushes ("event", "status") are kept for later.
    if (j.contains("ok") && (!j.contains("id") || j["id"] == id)) return j;
    pending_.push_back(std::move(j));
  }
}

}  // namespace essd::api
