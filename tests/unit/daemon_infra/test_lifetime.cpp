// SPDX-License-Identifier: MIT
// essd::Lifetime (include/essd/lifetime.hpp): guarded handlers run while the
// lifetime lasts and do nothing after end(), renew() or destruction, also
// when they were queued on an io_context before that.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "essd/lifetime.hpp"

namespace essd {
namespace {

TEST(Lifetime, GuardedHandlerRunsWithItsArgumentsWhileAlive) {
  Lifetime life;
  std::string seen;
  auto h = life.guard([&](const std::string& a, int b) { seen = a + std::to_string(b); });
  h("x", 7);
  EXPECT_EQ(seen, "x7");
  EXPECT_FALSE(life.ended());
}

TEST(Lifetime, NothingRunsAfterEnd) {
  Lifetime life;
  int calls = 0;
  std::function<void()> h = life.guard([&] { ++calls; });
  h();
  life.end();
  EXPECT_TRUE(life.ended());
  h();
  EXPECT_EQ(calls, 1);
  // Wrapped after the end: never runs either.
  life.guard([&] { ++calls; })();
  EXPECT_EQ(calls, 1);
}

TEST(Lifetime, RenewDropsOnlyTheHandlersFromBefore) {
  Lifetime life;
  int old_calls = 0, new_calls = 0;
  auto old_h = life.guard([&] { ++old_calls; });
  life.renew();
  auto new_h = life.guard([&] { ++new_calls; });
  old_h();
  new_h();
  EXPECT_EQ(old_calls, 0);
  EXPECT_EQ(new_calls, 1);
}

TEST(Lifetime, QueuedCompletionAfterDestructionDoesNothing) {
  boost::asio::io_context io;
  int fired = 0;
  bool aborted_seen = false;
  {
    // An object whose timer completion is queued (cancelled by its
    // destructor) when the object is already gone.
    struct Owner {
      explicit Owner(boost::asio::io_context& io, int& fired) : timer(io), fired(fired) {
        timer.expires_after(std::chrono::hours(1));
        timer.async_wait(life.guard([this](const boost::system::error_code&) { ++this->fired; }));
      }
      boost::asio::steady_timer timer;
      int& fired;
      Lifetime life;
    };
    auto owner = std::make_unique<Owner>(io, fired);
    boost::asio::post(io, owner->life.guard([&] { aborted_seen = true; }));
  }
  io.run();
  EXPECT_EQ(fired, 0);
  EXPECT_FALSE(aborted_seen);
}

TEST(Lifetime, WatchTellsACallerThatCalledOutWhetherItMayGoOn) {
  auto life = std::make_unique<Lifetime>();
  const auto watch = life->watch();
  EXPECT_FALSE(watch.ended());
  life.reset();  // the callee destroyed the object
  EXPECT_TRUE(watch.ended());
}

TEST(Lifetime, MoveOnlyHandlersAreAccepted) {
  Lifetime life;
  auto p = std::make_unique<int>(41);
  int got = 0;
  auto h = life.guard([p = std::move(p), &got] { got = *p + 1; });
  h();
  EXPECT_EQ(got, 42);
}

}  // namespace
}  // namespace essd
