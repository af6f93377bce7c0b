// SPDX-License-Identifier: MIT
// A process killed with SIGKILL right after flush() loses no event.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history_test_util.hpp"

namespace essd::history {
namespace {

using namespace test;

TEST(HistoryDurability, SigkillAfterFlushLosesNothing) {
  TempDir dir;
  const auto path = dir.file("events.db");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    boost::asio::io_context io;
    History h(io, path, 1000);
    if (!h.open_error().empty()) _exit(3);
    for (int i = 0; i < 50; ++i) h.append(ev("k"), std::chrono::system_clock::now());
    h.flush();
    raise(SIGKILL);  // no destructor, no atexit, no clean close
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  boost::asio::io_context io;
  History h(io, path, 1000);
  ASSERT_EQ(h.open_error(), "");
  auto r = query(io, h, 0, 1000);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->first.size(), 50u);
  EXPECT_EQ(r->first.back().seq, 50u);
  EXPECT_EQ(h.append(ev("next"), std::chrono::system_clock::now()).seq, 51u);
}

}  // namespace
}  // namespace essd::history
