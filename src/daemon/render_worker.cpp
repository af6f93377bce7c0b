// SPDX-License-Identifier: MIT
#include "daemon/render_worker.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

namespace essd::daemon {

RenderWorker::RenderWorker(boost::asio::io_context& io) : io_(io), thread_([this] { run(); }) {}

RenderWorker::~RenderWorker() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void RenderWorker::submit(Build build, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Job{std::move(build), std::move(done)});
    ++jobs_;
  }
  cv_.notify_one();
}

std::uint64_t RenderWorker::jobs() const {
  std::lock_guard lock(mu_);
  return jobs_;
}

void RenderWorker::run() {
  // Below the loop thread: under CPU contention the interlocks come first.
  // (Raising one's own nice value needs no privilege; failure is harmless.)
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return quit_ || !queue_.empty(); });
      if (quit_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::string line = job.build();  // guarded by the dispatcher: never throws
    boost::asio::post(io_, [done = std::move(job.done), line = std::move(line)]() mutable {
      done(std::move(line));
    });
  }
}

}  // namespace essd::daemon
