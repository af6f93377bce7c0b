// SPDX-License-Identifier: MIT
// Scenario files: parsing, errors with their line, the shipped scenarios, and
// timed execution.
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/scenario.hpp"
#include "sim_harness.hpp"

namespace essd::sim {
namespace {

TEST(Scenario, ParsesStepsSortedByTime) {
  const auto sc = parse_scenario(R"(name = "x"
description = "y"
[[step]]
at = 5
do = "load 10"
[[step]]
at = 1.5
do = "charger on 12"
)",
                                 "t.toml");
  EXPECT_EQ(sc.name, "x");
  ASSERT_EQ(sc.steps.size(), 2u);
  EXPECT_EQ(sc.steps[0].text, "charger on 12");
  EXPECT_EQ(sc.steps[0].at_s, 1.5);
  EXPECT_EQ(sc.steps[0].line, 8);
  EXPECT_EQ(sc.steps[1].command.verb, Verb::load);
  EXPECT_EQ(sc.steps[1].command.value, 10);
}

void expect_error(const char* text, const std::string& where_what) {
  try {
    parse_scenario(text, "s.toml");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(where_what, 0), 0u) << e.what();
  }
}

TEST(Scenario, ErrorsNameFileAndLine) {
  expect_error("[[step]]\nat = 1\ndo = \"drop x\"\n", "s.toml:3: drop: bad module address");
  expect_error("[[step]]\nat = -1\ndo = \"drop 1\"\n", "s.toml:2: at must be");
  expect_error("[[step]]\nat = 1\n", "s.toml:1: a step needs both");
  expect_error("speed = 3\n", "s.toml:1: unknown key 'speed'");
  expect_error("[[step]]\nat = 1\ndo = \"status\"\n", "s.toml:3: status is");
  expect_error("[[step]\n", "s.toml:1:");
}

TEST(Scenario, MissingFile) {
  EXPECT_THROW(load_scenario_file("/nonexistent/x.toml"), ScenarioError);
}

TEST(Scenario, ShippedScenariosLoadAndRun) {
  const std::filesystem::path dir = ESSD_SCENARIO_DIR;
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    SCOPED_TRACE(e.path().string());
    ++n;
    const Scenario sc = load_scenario_file(e.path().string());
    EXPECT_FALSE(sc.description.empty());
    ASSERT_FALSE(sc.steps.empty());
    SimOptions o;
    o.speed = 100;
    test::Harness h(o, sc);
    h.charge = h.discharge = true;
    const MonoMs span = static_cast<MonoMs>(sc.steps.back().at_s * 1000 / o.speed) + 100;
    h.run(std::min<MonoMs>(span, 600000));
    for (const auto& l : h.sim.take_log()) EXPECT_EQ(l.find("error"), std::string::npos) << l;
  }
  EXPECT_GE(n, 6);
}

TEST(Scenario, StepsRunAtTheirSimulatedTime) {
  const auto sc = parse_scenario("[[step]]\nat = 20\ndo = \"drop 1\"\n", "t");
  SimOptions o;
  o.speed = 10;  // at = 20 s simulated = 2 s of bus time
  test::Harness h(o, sc);
  EXPECT_GT(test::count_from(h.run(1900), 1), 0u);
  h.run(200);
  EXPECT_EQ(test::count_from(h.run(1000), 1), 0u);
  const auto log = h.sim.take_log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("drop 1"), std::string::npos);
}

TEST(Scenario, StepNamingAbsentModuleRejected) {
  const auto sc = parse_scenario("[[step]]\nat = 0\ndo = \"ov 5\"\n", "t");
  SimOptions o;
  o.modules = 4;
  EXPECT_THROW(Simulator(o, sc), std::invalid_argument);
}

}  // namespace
}  // namespace essd::sim

namespace essd::sim {
namespace {

TEST(Command, ParsesEveryVerb) {
  struct Case {
    const char* line;
    Verb verb;
    int module;
    double value;
    bool flag;
  };
  const Case ok[] = {
      {"drop 3", Verb::drop, 3, 0, false},
      {"restore all", Verb::restore, -1, 0, false},
      {"restore 15", Verb::restore, 15, 0, false},
      {"freeze 2", Verb::freeze, 2, 0, false},
      {"garbage 1", Verb::garbage, 1, 0, false},
      {"ov 0", Verb::ov, 0, 0, false},
      {"overdischarge 0", Verb::overdischarge, 0, 0, false},
      {"overtemp 1", Verb::overtemp, 1, 0, false},
      {"overcurrent 1", Verb::overcurrent, 1, 0, false},
      {"overcurrent 1 charge", Verb::overcurrent, 1, 0, true},
      {"duplicate 2", Verb::duplicate, 2, 0, false},
      {"gap 1", Verb::gap, 1, 0, false},
      {"imbalance 3", Verb::imbalance, 3, 350, false},
      {"imbalance 3 500", Verb::imbalance, 3, 500, false},
      {"noise 0.05", Verb::noise, -1, 0.05, false},
      {"silence 2000", Verb::silence, -1, 2000, false},
      {"load 30", Verb::load, -1, 30, false},
      {"load 1500W", Verb::load, -1, 1500, true},
      {"load off", Verb::load, -1, 0, false},
      {"charger on", Verb::charger, -1, -1, true},
      {"charger on 12.5", Verb::charger, -1, 12.5, true},
      {"charger off", Verb::charger, -1, -1, false},
      {"ambient -5", Verb::ambient, -1, -5, false},
      {"soc 40", Verb::soc, -1, 40, false},
      {"soc 2 40", Verb::soc, 2, 40, false},
      {"heatsink 90", Verb::heatsink, -1, 90, false},
      {"heatsink auto", Verb::heatsink, -1, 0, true},
      {"  power   on \r\n", Verb::power_on, -1, 0, false},
      {"status", Verb::status, -1, 0, false},
  };
  for (const auto& c : ok) {
    SCOPED_TRACE(c.line);
    const auto p = parse_command(c.line);
    ASSERT_TRUE(p.command) << p.error;
    EXPECT_EQ(p.command->verb, c.verb);
    EXPECT_EQ(p.command->module, c.module);
    EXPECT_DOUBLE_EQ(p.command->value, c.value);
    EXPECT_EQ(p.command->flag, c.flag);
  }
  const char* bad[] = {"drop 16",          "drop -1",   "drop 1 2",       "restore",
                       "overcurrent 1 up", "address 1", "imbalance 3 -1", "noise x",
                       "silence 1e9",      "load 5X",   "load",           "charger maybe",
                       "charger off 3",    "soc 101",   "heatsink hot",   "power off",
                       "status now",       "DROP 1",    "load nan",       "ambient inf"};
  for (const char* line : bad) EXPECT_FALSE(parse_command(line).command) << line;
}

}  // namespace
}  // namespace essd::sim
