// SPDX-License-Identifier: MIT
#include "daemon/render_worker.hpp"

#include <boost/asio/post.hpp>

namespace essd::daemon {

RenderWorker::RenderWorker(boost::asio::io_context& io)
    : io_(io),
      worker_(BlockingWorker::Options{
          .name = "essd-render",
          .capacity = BlockingWorker::kUnbounded,  // bounded by the sessions (above)
          .at_exit = BlockingWorker::AtExit::drop_queued,
          // Below the loop thread: under CPU contention the interlocks come first.
          .nice = 10,
      }) {}

RenderWorker::~RenderWorker() = default;  // the worker drops what is queued, joins

void RenderWorker::submit(Build build, Done done) {
  worker_.post([this, build = std::move(build), done = std::move(done)]() mutable {
    std::string line = build();  // guarded by the dispatcher: never throws
    boost::asio::post(
        io_, [done = std::move(done), line = std::move(line)]() mutable { done(std::move(line)); });
  });
}

std::uint64_t RenderWorker::jobs() const {
  return worker_.stats().posted;
}

}  // namespace essd::daemon
