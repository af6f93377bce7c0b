// SPDX-License-Identifier: MIT
// The latch state file on disk (daemon/latch_file.*) and the worker that
// saves it with retries (daemon/latch_saver.*): a latch is never lost
// silently.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <vector>

#include "core/latch_codec.hpp"
#include "daemon/latch_file.hpp"
#include "daemon/latch_saver.hpp"

namespace essd::daemon {
namespace {

namespace fs = std::filesystem;

class StateFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "essd-state-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    path = (dir / "latches.state").string();
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }
  fs::path dir;
  std::string path;
};

TEST_F(StateFile, RoundTripAtomically) {
  for (const core::Latches l : {core::Latches{false, false}, core::Latches{true, false},
                                core::Latches{false, true}, core::Latches{true, true}}) {
    ASSERT_EQ(save_latch_file(path, l), "");
    const auto r = load_latch_file(path);
    ASSERT_TRUE(r.latches) << r.error;
    EXPECT_EQ(*r.latches, l);
    EXPECT_EQ(r.error, "");
  }
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(StateFile, PlantedTempSymlinkIsNotFollowedAndModeIgnoresUmask) {
  const fs::path victim = dir / "victim";
  write(victim, "keep me");
  fs::create_symlink(victim, path + ".tmp");
  const mode_t old = ::umask(0077);
  ASSERT_EQ(save_latch_file(path, {true, false}), "");
  ::umask(old);
  std::ifstream in(victim);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "keep me");
  EXPECT_FALSE(fs::is_symlink(path));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
  ASSERT_TRUE(load_latch_file(path).latches);
  EXPECT_EQ(*load_latch_file(path).latches, (core::Latches{true, false}));
}

TEST_F(StateFile, SymlinkedStateFileIsUnreadableSoBothLatchesStand) {
  const fs::path elsewhere = dir / "elsewhere";
  ASSERT_EQ(save_latch_file(elsewhere.string(), {false, false}), "");
  fs::create_symlink(elsewhere, path);
  const auto r = load_latch_file(path);
  ASSERT_TRUE(r.latches);
  EXPECT_EQ(*r.latches, (core::Latches{true, true}));
  EXPECT_NE(r.error, "");
}

TEST_F(StateFile, MissingFileRestoresNothing) {
  const auto r = load_latch_file(path);
  EXPECT_FALSE(r.latches);
  EXPECT_EQ(r.error, "");
}

TEST_F(StateFile, DirectoryCreatedWhenMissing) {
  const std::string deep = (dir / "var" / "lib" / "essd" / "latches.state").string();
  ASSERT_EQ(save_latch_file(deep, {true, false}), "");
  const auto r = load_latch_file(deep);
  ASSERT_TRUE(r.latches);
  EXPECT_EQ(*r.latches, (core::Latches{true, false}));
}

TEST_F(StateFile, TornOrCorruptRestoresBothSet) {
  const std::string full = core::encode_latches({false, false});
  for (const std::string& bad : {full.substr(0, full.size() / 2), std::string("garbage\n"),
                                 std::string(), std::string(100000, 'x')}) {
    write(path, bad);
    const auto r = load_latch_file(path);
    ASSERT_TRUE(r.latches);
    EXPECT_EQ(*r.latches, (core::Latches{true, true}));
    EXPECT_NE(r.error, "");
  }
}

TEST_F(StateFile, UnreadableRestoresBothSet) {
  fs::create_directory(path);  // reading a directory fails (EISDIR)
  const auto r = load_latch_file(path);
  ASSERT_TRUE(r.latches);
  EXPECT_EQ(*r.latches, (core::Latches{true, true}));
  EXPECT_NE(r.error, "");
}

TEST_F(StateFile, SaveBelowAFileFails) {
  write(dir / "blocker", "x");
  EXPECT_NE(save_latch_file((dir / "blocker" / "latches.state").string(), {true, false}), "");
}

// Results of the saver's attempts, collected from its worker thread.
struct Results {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> errors;
  void add(std::string e) {
    std::lock_guard lk(mu);
    errors.push_back(std::move(e));
    cv.notify_all();
  }
  bool wait_for_count(std::size_t n) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, std::chrono::seconds(10), [&] { return errors.size() >= n; });
  }
};

TEST_F(StateFile, FailedSaveIsRetriedUntilItSucceeds) {
  const std::string blocked = (dir / "blocker" / "latches.state").string();
  write(dir / "blocker", "x");
  Results res;
  LatchSaver saver([&](std::string e) { res.add(std::move(e)); }, std::chrono::milliseconds(20));
  saver.save(blocked, {true, false});
  ASSERT_TRUE(res.wait_for_count(2));  // failed, retried, failed again
  {
    std::lock_guard lk(res.mu);
    EXPECT_NE(res.errors[0], "");
    EXPECT_NE(res.errors[1], "");
  }
  fs::remove(dir / "blocker");  // the cause goes away: the next retry succeeds
  for (std::size_t n = 3;; ++n) {
    ASSERT_TRUE(res.wait_for_count(n));
    std::lock_guard lk(res.mu);
    if (res.errors.back().empty()) break;
  }
  const auto r = load_latch_file(blocked);
  ASSERT_TRUE(r.latches);
  EXPECT_EQ(*r.latches, (core::Latches{true, false}));
}

TEST_F(StateFile, NewerStateReplacesAFailedOne) {
  std::mutex mu;
  std::vector<core::Latches> written;
  int failures_left = 1;
  Results res;
  LatchSaver saver([&](std::string e) { res.add(std::move(e)); }, std::chrono::hours(1),
                   [&](const std::string&, const core::Latches& l) -> std::string {
                     std::lock_guard lk(mu);
                     written.push_back(l);
                     return failures_left-- > 0 ? "disk full" : "";
                   });
  saver.save(path, {true, false});
  ASSERT_TRUE(res.wait_for_count(1));
  saver.save(path, {true, true});  // no hour-long wait: the newer state goes at once
  ASSERT_TRUE(res.wait_for_count(2));
  saver.flush();
  std::lock_guard lk(mu);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[1], (core::Latches{true, true}));
}

}  // namespace
}  // namespace essd::daemon
