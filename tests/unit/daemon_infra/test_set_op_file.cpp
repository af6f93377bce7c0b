// SPDX-License-Identifier: MIT
// The SetOp DISCONNECT file: round trip, torn and corrupt files refused,
// atomic save into a temp dir, the saver worker.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "daemon/set_op_file.hpp"

namespace essd::daemon {
namespace {

struct Dir {
  std::string path;
  Dir() {
    char t[] = "/tmp/essd-setop-XXXXXX";
    path = ::mkdtemp(t);
  }
  ~Dir() { std::filesystem::remove_all(path); }
};

TEST(SetOpFile, RoundTrip) {
  for (bool d : {false, true}) {
    std::string err;
    EXPECT_EQ(parse_set_op(format_set_op(d), err), d) << err;
  }
  EXPECT_EQ(set_op_path("/var/lib/essd/latches.state"), "/var/lib/essd/latches.state.setop");
}

TEST(SetOpFile, TornOrCorruptIsRefused) {
  const std::string good = format_set_op(true);
  for (const std::string& bad :
       {std::string(), good.substr(0, good.size() - 3), good.substr(0, 20),
        std::string("essd-setop 1\ndisconnect 2\n") + good.substr(good.find("crc32")), [&] {
          std::string s = good;
          s[s.find("disconnect 1") + 11] = '0';  // flipped without a new checksum
          return s;
        }()}) {
    std::string err;
    EXPECT_EQ(parse_set_op(bad, err), std::nullopt) << bad;
    EXPECT_FALSE(err.empty());
  }
}

TEST(SetOpFile, SaveLoadAndMissing) {
  Dir d;
  const std::string p = d.path + "/latches.state.setop";
  auto missing = load_set_op(p);
  EXPECT_EQ(missing.disconnect, std::nullopt);
  EXPECT_TRUE(missing.error.empty()) << "a missing file is a first start, not an error";
  EXPECT_EQ(save_set_op(p, true), "");
  EXPECT_EQ(load_set_op(p).disconnect, true);
  std::ofstream(p, std::ios::trunc) << "garbage\n";
  auto bad = load_set_op(p);
  EXPECT_EQ(bad.disconnect, std::nullopt);
  EXPECT_FALSE(bad.error.empty());
  EXPECT_NE(save_set_op(d.path + "/no/such/dir/x", true), "");
}

TEST(SetOpFile, SaverWritesTheNewestAndReportsErrors) {
  Dir d;
  const std::string p = d.path + "/s.setop";
  std::vector<std::string> results;
  std::mutex mu;
  {
    SetOpSaver saver(p, [&](std::string e) {
      std::lock_guard lk(mu);
      results.push_back(e);
    });
    saver.save(true);
    saver.save(false);
    saver.flush();
    EXPECT_EQ(load_set_op(p).disconnect, false);
  }
  std::lock_guard lk(mu);
  ASSERT_FALSE(results.empty());
  for (const auto& e : results) EXPECT_EQ(e, "");
  SetOpSaver failing(d.path + "/missing/dir/f", [&](std::string e) { results.push_back(e); });
  failing.save(true);
  failing.flush();
  EXPECT_NE(results.back(), "");
}

}  // namespace
}  // namespace essd::daemon
