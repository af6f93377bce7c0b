// SPDX-License-Identifier: MIT
// The TOML pre-check (src/config/precheck.*): bounds toml++ would otherwise
// recurse on, rejected with the line, like any invalid file.
#include <gtest/gtest.h>

#include <string>

#include "config/config.hpp"
#include "config/precheck.hpp"

namespace essd::config {
namespace {

TEST(Precheck, DefaultConfigPasses) {
  EXPECT_FALSE(precheck_toml(default_config_text()));
}

TEST(Precheck, DeepDottedHeaderIsRejectedWithItsLine) {
  std::string header = "[a";
  for (int i = 0; i < 50000; ++i) header += ".a";
  const std::string text = "[system]\nmodules = 0\n" + header + "]\n";
  auto p = precheck_toml(text);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->line, 3);
  auto r = parse(text, "x.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.front().format().rfind("x.toml:3: ", 0), 0u) << r.errors.front().format();
}

TEST(Precheck, KeyPartsAreCountedInKeysAndHeadersOnly) {
  EXPECT_FALSE(precheck_toml("[a.b.c.d.e.f.g.h]\nx = 1.5\ny = \"a.b.c.d.e.f.g.h.i.j\"\n"));
  EXPECT_TRUE(precheck_toml("[a.b.c.d.e.f.g.h.i]\n"));
  EXPECT_TRUE(precheck_toml("a.b.c.d.e.f.g.h.i = 1\n"));
  EXPECT_TRUE(precheck_toml("t = {a.b.c.d.e.f.g.h.i = 1}\n"));
  EXPECT_FALSE(precheck_toml("\"a.b.c.d.e.f.g.h.i\" = 1\n")) << "a quoted key is one part";
  EXPECT_FALSE(precheck_toml("[[x.y]]\nz = [1.0, 2.5]\n"));
}

TEST(Precheck, NestingOfValuesIsBoundedAcrossLines) {
  std::string deep = "x = ";
  for (int i = 0; i < 17; ++i) deep += "[\n";
  EXPECT_TRUE(precheck_toml(deep));
  std::string ok = "x = ";
  for (int i = 0; i < 16; ++i) ok += "[";
  for (int i = 0; i < 16; ++i) ok += "]";
  EXPECT_FALSE(precheck_toml(ok + "\n"));
  EXPECT_FALSE(precheck_toml("x = \"[[[[[[[[[[[[[[[[[[[[\"\ny = '''\n{{{{{{{{{{{{{{{{{{\n'''\n"))
      << "brackets in strings do not count";
  EXPECT_FALSE(precheck_toml("# [[[[[[[[[[[[[[[[[[[[[[[[[[[\nx = 1\n")) << "nor in comments";
}

TEST(Precheck, LongLinesAreRejected) {
  EXPECT_TRUE(precheck_toml("x = \"" + std::string(5000, 'a') + "\"\n"));
  auto p = precheck_toml("a = 1\n\nb = \"" + std::string(5000, 'a') + "\"");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->line, 3);
  EXPECT_FALSE(precheck_toml("x = \"" + std::string(4000, 'a') + "\"\n"));
}

}  // namespace
}  // namespace essd::config
