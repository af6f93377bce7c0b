// SPDX-License-Identifier: MIT
#pragma once
// Builds heavy API replies (events with limit 1000, modules with every cell)
// on a thread of their own, so that no client's reply costs the loop more
// than moving a finished string into its write queue (docs/api.md "Limits": no
// client can delay the interlocks). Jobs run in arrival order; each API
// session has at most one request in flight and each uid at most
// api.max_clients_per_uid sessions, which bounds the queue and what one peer
// can have queued ahead of another. The thread and the queue are a
// BlockingWorker's (unbounded here for that reason).
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "essd/blocking_worker.hpp"

namespace essd::daemon {

class RenderWorker {
 public:
  using Build = std::function<std::string()>;
  using Done = std::function<void(std::string)>;

  explicit RenderWorker(boost::asio::io_context& io);
  ~RenderWorker();  // drops what is queued, joins
  RenderWorker(const RenderWorker&) = delete;
  RenderWorker& operator=(const RenderWorker&) = delete;

  /// `build` runs on the worker; `done` with its result on io's thread.
  void submit(Build build, Done done);
  std::uint64_t jobs() const;

 private:
  boost::asio::io_context& io_;
  BlockingWorker worker_;  // last: started once the rest exists
};

}  // namespace essd::daemon
