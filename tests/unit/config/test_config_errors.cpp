// SPDX-License-Identifier: MIT
// Unknown keys and sections, wrong types, syntax errors, several errors at
// once (all reported, each with its line), and the group rules.
#include <gtest/gtest.h>

#include <set>

#include "config_test_util.hpp"

namespace essd::config {
namespace {

using test::all_errors;
using test::parse_ok_groups;

TEST(ConfigErrors, UnknownKeyWithLine) {
  auto r = parse("[limits]\nauto_shutdown_s = 60\nauto_shutdwon_s = 30\n", "e.toml",
                 test::groups_exist());
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].format(), "e.toml:3: unknown key \"auto_shutdwon_s\" in [limits]");
}

TEST(ConfigErrors, UnknownSectionWithLine) {
  auto r = parse_ok_groups("[system]\nmodules = 0\n\n[limit]\nauto_shutdown_s = 30\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_NE(r.errors[0].reason.find("unknown section [limit]"), std::string::npos);
  r = parse_ok_groups("\n[host.cna]\nenabled = true\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 2);
  r = parse_ok_groups("model = \"IJ1001C\"\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 1);
}

TEST(ConfigErrors, NestedTableInsideSectionIsUnknownKey) {
  auto r = parse_ok_groups("[limits.extra]\nx = 1\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_NE(r.errors[0].reason.find("unknown key \"extra\""), std::string::npos);
}

TEST(ConfigErrors, WrongTypes) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[system]\nmodules = \"4\"\n", "expected an integer, got a string"},
      {"[system]\nmodules = 4.0\n", "expected an integer, got a float"},
      {"[limits]\nheatsink_trip_c = \"85\"\n", "expected a number, got a string"},
      {"[host.can]\nenabled = 1\n", "expected true or false, got an integer"},
      {"[bus]\ninterface = 0\n", "expected a string, got an integer"},
      {"[api]\ngroup = [\"a\"]\n", "expected a string, got an array"},
      {"[system]\nmodel = 1979-05-27\n", "expected a string, got a date"},
      {"system = 1\n", "[system] must be a table"},
      {"[[limits]]\nauto_shutdown_s = 30\n", "[limits] must be a table"},
  };
  for (const auto& c : cases) {
    auto r = parse_ok_groups(c.text);
    ASSERT_EQ(r.errors.size(), 1u) << c.text << all_errors(r);
    EXPECT_NE(r.errors[0].reason.find(c.expect), std::string::npos) << all_errors(r);
    EXPECT_GE(r.errors[0].line, 1) << c.text;
  }
}

TEST(ConfigErrors, SyntaxErrorHasLine) {
  auto r = parse_ok_groups("[system]\nmodules = 0\nmodel = \"IJ1001C\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  r = parse_ok_groups("[system]\nmodules = 1\nmodules = 2\n");  // duplicate key
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_FALSE(r.config.has_value());
}

TEST(ConfigErrors, AllProblemsReportedEachWithItsLine) {
  const char* text =
      "[system]\n"                    // 1
      "model = \"IJ9\"\n"             // 2 bad enum
      "[limits]\n"                    // 3
      "auto_shutdown_s = 5\n"         // 4 below bound
      "comm_timeout_ms = \"fast\"\n"  // 5 wrong type
      "overcurent_rounds = 3\n"       // 6 unknown key
      "[host.modbus]\n"               // 7
      "unit = 0\n"                    // 8 below bound
      "[panle]\n"                     // 9 unknown section
      "lcd = \"none\"\n";             // 10
  auto r = parse(text, "multi.toml", test::groups_exist());
  ASSERT_FALSE(r.config.has_value());
  std::vector<int> lines;
  for (const auto& e : r.errors) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<int>{2, 4, 5, 6, 8, 9})) << all_errors(r);  // in file order
  EXPECT_EQ(r.errors.size(), 6u) << all_errors(r);
  for (const auto& e : r.errors) EXPECT_EQ(e.format().rfind("multi.toml:", 0), 0u);
}

TEST(ConfigErrors, ProblemFormat) {
  EXPECT_EQ((Problem{"/etc/essd/essd.toml", 12, "bad"}).format(), "/etc/essd/essd.toml:12: bad");
  EXPECT_EQ((Problem{"x", 0, "missing"}).format(), "x:0: missing");
}

ParseOptions only(std::set<std::string> groups) {
  return ParseOptions{[groups](const std::string& g) { return groups.count(g) != 0; }};
}

TEST(ConfigGroups, MissingDefaultGroupsAreWarnings) {
  auto r = parse("", "g.toml", only({}));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("\"essd\""), std::string::npos);
  EXPECT_NE(r.warnings[1].find("\"essd-admin\""), std::string::npos);
  EXPECT_FALSE(r.config->api.group_explicit);
  r = parse("", "g.toml", only({"essd", "essd-admin"}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ConfigGroups, MissingNamedGroupIsAnError) {
  auto r = parse("[api]\ngroup = \"operators\"\n", "g.toml", only({"essd-admin"}));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
  r = parse("[api]\n\nadmin_group = \"operators\"\n", "g.toml", only({"essd"}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  // Restating a default name is still the default: a warning only.
  r = parse("[api]\ngroup = \"essd\"\nadmin_group = \"essd-admin\"\n", "g.toml", only({}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.warnings.size(), 2u);
  EXPECT_FALSE(r.config->api.group_explicit);
  EXPECT_FALSE(r.config->api.admin_group_explicit);
  r = parse("[api]\ngroup = \"operators\"\n", "g.toml", only({"operators", "essd-admin"}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.config->api.group_explicit);
  EXPECT_FALSE(r.config->api.admin_group_explicit);
}

TEST(ConfigGroups, DefaultTextPassesWithoutTheGroups) {
  auto r = parse(default_config_text(), "default.toml", only({}));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.warnings.size(), 2u);
}

TEST(ConfigGroups, RealGroupDatabase) {
  // "root" exists on every Linux system; the long name cannot.
  EXPECT_TRUE(parse("[api]\ngroup = \"root\"\nadmin_group = \"root\"\n", "g.toml").ok());
  EXPECT_FALSE(parse("[api]\ngroup = \"no-such-group-essd-xyz\"\n", "g.toml").ok());
}

}  // namespace
}  // namespace essd::config
