// SPDX-License-Identifier: MIT
// Fuzz regression: each stored input of each target runs through the target's
// entry function. A broken invariant aborts (the file being run is printed
// first); a target without any stored input fails, so a renamed corpus
// directory cannot silently turn this test into a no-op.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/targets/all.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs_of(const std::string& dir) {
  std::vector<fs::path> out;
  const fs::path root = fs::path(ESSD_FUZZ_DIR) / dir;
  if (!fs::is_directory(root)) return out;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

class FuzzRegress : public ::testing::TestWithParam<essd::fuzz::Target> {};

TEST_P(FuzzRegress, EveryStoredInputKeepsTheInvariants) {
  const auto& target = GetParam();
  auto files = inputs_of(std::string("regress/") + target.name);
  const auto seeds = inputs_of(std::string("corpus/") + target.name);
  files.insert(files.end(), seeds.begin(), seeds.end());
  ASSERT_FALSE(files.empty()) << "no stored inputs for " << target.name;
  for (const auto& f : files) {
    const auto bytes = read_all(f);
    SCOPED_TRACE(f.string());
    std::fprintf(stderr, "fuzz_regress: %s\n", f.c_str());
    // Exactly sized heap copy, as libFuzzer passes it: ASan sees over-reads.
    std::vector<std::uint8_t> copy(bytes);
    target.run(copy.data(), copy.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegress, ::testing::ValuesIn(essd::fuzz::kTargets),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
