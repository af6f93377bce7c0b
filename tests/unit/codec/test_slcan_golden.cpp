// SPDX-License-Identifier: MIT
// Golden captures in tests/data/slcan: NAME.slcan (raw adapter bytes) and
// NAME.expected (hand-written decoder output, counters last).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "slcan_test_util.hpp"

namespace essd::slcan {
namespace {

namespace fs = std::filesystem;
using testing::run;
using testing::Split;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

TEST(SlcanGolden, Captures) {
  const fs::path dir = fs::path(ESSD_TEST_DATA_DIR) / "slcan";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".slcan") continue;
    auto expected_path = entry.path();
    expected_path.replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected_path)) << expected_path;
    const auto input = slurp(entry.path());
    const auto expected = lines(slurp(expected_path));
    EXPECT_EQ(run(input, Split::whole), expected) << entry.path();
    EXPECT_EQ(run(input, Split::bytewise), expected) << entry.path();
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
      EXPECT_EQ(run(input, Split::random, seed), expected) << entry.path() << " seed " << seed;
    }
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

}  // namespace
}  // namespace essd::slcan
