// SPDX-License-Identifier: MIT
#pragma once
// The one guard for asynchronous handlers that capture `this`.
//
// An asio handler can run after its object is gone or stopped: a completion
// queued before the destructor cancelled the operation, a callback a worker
// thread posted, a signal delivered during shutdown. An object that hands out
// such handlers owns a Lifetime and wraps each one with guard(); a wrapped
// handler does nothing once the Lifetime has ended (end(), or destruction).
//
//   timer_.async_wait(lifetime_.guard([this](const error_code& ec) { ... }));
//
// guard() and end() run on the object's io_context thread, and so does every
// call of a wrapped handler (a worker thread posts to that thread instead of
// calling one). Conditions of the handler's own (an error code, a generation
// counter) stay inside it.
#include <memory>
#include <utility>

namespace essd {

class Lifetime {
 public:
  Lifetime() = default;
  Lifetime(const Lifetime&) = delete;
  Lifetime& operator=(const Lifetime&) = delete;
  ~Lifetime() = default;

  /// `fn` wrapped so that it returns at once after the end.
  template <class Fn>
  auto guard(Fn&& fn) const {
    return [life = watch(), fn = std::forward<Fn>(fn)](auto&&... args) -> void {
      if (life.ended()) return;
      fn(std::forward<decltype(args)>(args)...);
    };
  }

  /// From now on no wrapped handler runs (stop(), shutdown).
  void end() { token_.reset(); }
  /// Handlers wrapped before now never run; those wrapped from now on do
  /// (a stop() that may be followed by a new start()).
  void renew() { token_ = std::make_shared<const char>('\0'); }
  bool ended() const { return !token_; }

  /// For a handler that calls out (a user callback that may destroy the
  /// object) and must then know whether it may still touch the object.
  class Watch {
   public:
    bool ended() const { return token_.expired(); }

   private:
    friend class Lifetime;
    explicit Watch(std::weak_ptr<const char> token) : token_(std::move(token)) {}
    std::weak_ptr<const char> token_;
  };
  Watch watch() const { return Watch(token_); }

 private:
  std::shared_ptr<const char> token_ = std::make_shared<const char>('\0');
};

}  // namespace essd
