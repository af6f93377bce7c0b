// SPDX-License-Identifier: MIT
// Dispatcher: every command, every error code, id echo, argument limits.
#include <gtest/gtest.h>

#include "api/dispatcher.hpp"
#include "fake_backend.hpp"

namespace essd::api {
namespace {

using nlohmann::json;
using test::FakeBackend;

class DispatcherTest : public ::testing::Test {
 protected:
  FakeBackend backend;
  Dispatcher dispatcher{backend};
  Peer admin{100, 0, 0, true};
  Peer user{200, 65534, 65534, false};

  // Handles one line and returns the parsed reply (the line must end in \n).
  json run(std::string_view line, const Peer& peer) {
    std::vector<Reply> replies;
    dispatcher.handle(line, peer, [&](Reply r) { replies.push_back(std::move(r)); });
    EXPECT_EQ(replies.size(), 1u) << line;
    if (replies.empty()) return json();
    last = replies.front();
    EXPECT_FALSE(last.line.empty());
    EXPECT_EQ(last.line.back(), '\n');
    EXPECT_EQ(last.line.find('\n'), last.line.size() - 1) << "one line per reply";
    return json::parse(last.line);
  }
  json run(std::string_view line) { return run(line, admin); }
  static std::string code(const json& r) { return r["error"]["code"].get<std::string>(); }
  Reply last;
};

TEST_F(DispatcherTest, IdIsEchoedWhateverItsType) {
  for (const char* id : {"1", "\"abc\"", "{\"x\":[1,2]}", "null", "-3.5"}) {
    auto r = run(std::string("{\"id\":") + id + ",\"cmd\":\"status\"}");
    ASSERT_TRUE(r.contains("id")) << id;
    EXPECT_EQ(r["id"], json::parse(id));
    EXPECT_TRUE(r["ok"].get<bool>());
  }
}

TEST_F(DispatcherTest, NoIdMeansNoIdInReply) {
  auto r = run(R"({"cmd":"status"})");
  EXPECT_FALSE(r.contains("id"));
  EXPECT_TRUE(r["ok"].get<bool>());
  auto e = run(R"({"cmd":"nope"})");
  EXPECT_FALSE(e.contains("id"));
  EXPECT_EQ(code(e), "unknown_command");
}

TEST_F(DispatcherTest, BadRequests) {
  EXPECT_EQ(code(run("not json")), "bad_request");
  EXPECT_EQ(code(run("[1,2]")), "bad_request");
  EXPECT_EQ(code(run("42")), "bad_request");
  EXPECT_EQ(code(run(R"({"id":5})")), "bad_request");
  auto r = run(R"({"id":5,"cmd":7})");
  EXPECT_EQ(code(r), "bad_request");
  EXPECT_EQ(r["id"], 5) << "id echoed even when cmd is bad";
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_TRUE(r["error"]["message"].is_string());
}

TEST_F(DispatcherTest, LineTooLongClosesWithBadRequest) {
  auto r = Dispatcher::line_too_long();
  EXPECT_TRUE(r.close);
  auto j = json::parse(r.line);
  EXPECT_EQ(code(j), "bad_request");
  EXPECT_FALSE(j.contains("id"));
}

TEST_F(DispatcherTest, UnknownCommandAndUnknownFieldsIgnored) {
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"selfdestruct"})")), "unknown_command");
  auto r = run(R"({"id":1,"cmd":"status","future_field":{"a":1},"verbose":true})");
  EXPECT_TRUE(r["ok"].get<bool>());
}

TEST_F(DispatcherTest, StatusUsesMapping) {
  backend.snap.voltage_v = 53.2;
  backend.snap.modules_connected = 2;
  auto r = run(R"({"id":1,"cmd":"status"})");
  EXPECT_DOUBLE_EQ(r["result"]["voltage_v"].get<double>(), 53.2);
  EXPECT_EQ(r["result"]["modules_connected"], 2);
  EXPECT_EQ(r["result"]["uptime_s"], 3600);
}

TEST_F(DispatcherTest, ModulesListsSeenOnlyInAddressOrder) {
  backend.snap.modules[5].seen = true;
  backend.snap.modules[5].address = 5;
  backend.snap.modules[2].seen = true;
  backend.snap.modules[2].address = 2;
  auto r = run(R"({"id":1,"cmd":"modules"})");
  ASSERT_EQ(r["result"]["modules"].size(), 2u);
  EXPECT_EQ(r["result"]["modules"][0]["address"], 2);
  EXPECT_EQ(r["result"]["modules"][1]["address"], 5);
}

TEST_F(DispatcherTest, ModuleAddressRange) {
  backend.snap.modules[15].seen = true;
  backend.snap.modules[15].address = 15;
  backend.snap.modules[0].seen = true;
  EXPECT_TRUE(run(R"({"id":1,"cmd":"module","address":15})")["ok"].get<bool>());
  EXPECT_TRUE(run(R"({"id":1,"cmd":"module","address":0})")["ok"].get<bool>());
  for (const char* bad : {"16", "-1", "3.5", "\"3\"", "true", "null", "99999999999999999999"}) {
    auto r = run(std::string(R"({"id":1,"cmd":"module","address":)") + bad + "}");
    EXPECT_EQ(code(r), "invalid_argument") << bad;
  }
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"module"})")), "invalid_argument");
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"module","address":7})")), "unavailable")
      << "valid address, no module seen there";
}

TEST_F(DispatcherTest, EventsLimitDefaultClampAndInvalid) {
  for (int i = 1; i <= 5; ++i)
    backend.history.push_back({std::uint64_t(i), "t", Severity::info, "k", "m", {}});
  auto r = run(R"({"id":1,"cmd":"events"})");
  ASSERT_TRUE(r["ok"].get<bool>());
  EXPECT_EQ(backend.events_calls.back().limit, 100);
  EXPECT_FALSE(backend.events_calls.back().after.has_value());
  EXPECT_EQ(r["result"]["events"].size(), 5u);
  EXPECT_EQ(r["result"]["next"], 5);

  run(R"({"id":1,"cmd":"events","limit":5000})");
  EXPECT_EQ(backend.events_calls.back().limit, 1000) << "clamped, not rejected";
  EXPECT_TRUE(last.line.find("\"ok\":true") != std::string::npos);
  run(R"({"id":1,"cmd":"events","limit":1000})");
  EXPECT_EQ(backend.events_calls.back().limit, 1000);
  run(R"({"id":1,"cmd":"events","limit":1})");
  EXPECT_EQ(backend.events_calls.back().limit, 1);
  auto calls = backend.events_calls.size();
  for (const char* bad : {"0", "-1", "\"10\"", "2.5"}) {
    EXPECT_EQ(code(run(std::string(R"({"id":1,"cmd":"events","limit":)") + bad + "}")),
              "invalid_argument")
        << bad;
  }
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"events","after":-1})")), "invalid_argument");
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"events","after":"x"})")), "invalid_argument");
  EXPECT_EQ(backend.events_calls.size(), calls) << "invalid requests never reach the backend";

  auto page = run(R"({"id":1,"cmd":"events","after":3,"limit":1})");
  ASSERT_EQ(page["result"]["events"].size(), 1u);
  EXPECT_EQ(page["result"]["events"][0]["seq"], 4);
  EXPECT_EQ(page["result"]["next"], 4);
  for (const char* k : {"seq", "time", "severity", "kind", "message", "data"}) {
    EXPECT_TRUE(page["result"]["events"][0].contains(k)) << k;
  }
}

TEST_F(DispatcherTest, EventsAsyncCompletionKeepsId) {
  backend.defer_events = true;
  std::vector<Reply> replies;
  dispatcher.handle(R"({"id":"q1","cmd":"events","limit":2})", admin,
                    [&](Reply r) { replies.push_back(std::move(r)); });
  EXPECT_TRUE(replies.empty());
  ASSERT_EQ(backend.deferred.size(), 1u);
  backend.deferred[0]({{9, "2026-11-25T18:00:00.000Z", Severity::error, "path_open", "x", {}}}, 9,
                      "");
  ASSERT_EQ(replies.size(), 1u);
  auto j = json::parse(replies[0].line);
  EXPECT_EQ(j["id"], "q1");
  EXPECT_EQ(j["result"]["events"][0]["severity"], "error");
}

TEST_F(DispatcherTest, EventsUnavailable) {
  backend.events_error = "history database unavailable";
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"events"})")), "unavailable");
}

TEST_F(DispatcherTest, DisplayAndCounters) {
  backend.view.lines = {"Overall             ", "MODE=DIS   RSOC= 80%", "I= -24.0A           ",
                        "V= 53.2V            "};
  backend.view.led = LedMode::red_flash;
  auto d = run(R"({"id":1,"cmd":"display"})")["result"];
  EXPECT_EQ(d["lines"][1], "MODE=DIS   RSOC= 80%");
  EXPECT_EQ(d["led"], "red_flash");
  EXPECT_TRUE(d["error_screen"].is_null());
  auto c = run(R"({"id":1,"cmd":"counters"})")["result"];
  EXPECT_EQ(c["bus"]["rx_frames"], 7);
}

TEST_F(DispatcherTest, WatchSetsSessionFlag) {
  run(R"({"id":1,"cmd":"watch","enable":true})");
  ASSERT_TRUE(last.watch.has_value());
  EXPECT_TRUE(*last.watch);
  run(R"({"id":1,"cmd":"watch","enable":false})");
  EXPECT_FALSE(*last.watch);
  run(R"({"id":1,"cmd":"watch"})");
  EXPECT_TRUE(*last.watch) << "bare watch enables";
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"watch","enable":"yes"})")), "invalid_argument");
  run(R"({"id":1,"cmd":"status"})");
  EXPECT_FALSE(last.watch.has_value()) << "other commands leave the flag alone";
}

TEST_F(DispatcherTest, PrivilegedCommandsForbiddenForUsersAndAudited) {
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"maintenance","on":true})", user)), "forbidden");
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"button","press":"short"})", user)), "forbidden");
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"reload"})", user)), "forbidden");
  EXPECT_TRUE(backend.actions.empty());
  ASSERT_EQ(backend.audits.size(), 3u);
  EXPECT_FALSE(backend.audits[0].allowed);
  EXPECT_EQ(backend.audits[0].peer.uid, 65534u);
  EXPECT_EQ(backend.audits[0].detail, "on");
  // Read-only commands stay open to everyone.
  EXPECT_TRUE(run(R"({"id":1,"cmd":"status"})", user)["ok"].get<bool>());
}

TEST_F(DispatcherTest, PrivilegedCommandsForAdmins) {
  EXPECT_TRUE(run(R"({"id":1,"cmd":"maintenance","on":true})")["ok"].get<bool>());
  EXPECT_TRUE(run(R"({"id":1,"cmd":"maintenance","on":false})")["ok"].get<bool>());
  EXPECT_TRUE(run(R"({"id":1,"cmd":"button","press":"long"})")["ok"].get<bool>());
  EXPECT_TRUE(run(R"({"id":1,"cmd":"button","press":"short"})")["ok"].get<bool>());
  EXPECT_TRUE(run(R"({"id":1,"cmd":"reload"})")["ok"].get<bool>());
  EXPECT_EQ(backend.actions, (std::vector<std::string>{"maintenance:on", "maintenance:off",
                                                       "button:long", "button:short", "reload"}));
  EXPECT_EQ(backend.audits.size(), 5u);
  EXPECT_TRUE(backend.audits.back().allowed);
}

TEST_F(DispatcherTest, PrivilegedArgumentErrors) {
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"maintenance"})")), "invalid_argument");
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"maintenance","on":1})")), "invalid_argument");
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"button","press":"double"})")), "invalid_argument");
  EXPECT_EQ(code(run(R"({"id":1,"cmd":"button"})")), "invalid_argument");
  EXPECT_TRUE(backend.actions.empty());
}

TEST_F(DispatcherTest, BackendFailuresMapToCodes) {
  backend.next_result = ActionError{"invalid_argument", "essd.toml:3: unknown key"};
  auto r = run(R"({"id":1,"cmd":"reload"})");
  EXPECT_EQ(code(r), "invalid_argument");
  EXPECT_EQ(r["error"]["message"], "essd.toml:3: unknown key");
}

class ThrowingBackend : public FakeBackend {
  SystemSnapshot snapshot() override { throw std::runtime_error("boom"); }
};

TEST(DispatcherInternal, ExceptionsBecomeInternal) {
  ThrowingBackend b;
  Dispatcher d(b);
  std::string line;
  d.handle(R"({"id":2,"cmd":"status"})", Peer{}, [&](Reply r) { line = r.line; });
  auto j = json::parse(line);
  EXPECT_EQ(j["error"]["code"], "internal");
  EXPECT_EQ(j["id"], 2);
}

TEST_F(DispatcherTest, CrlfTolerated) {
  EXPECT_TRUE(run("{\"id\":1,\"cmd\":\"status\"}\r")["ok"].get<bool>());
}

}  // namespace
}  // namespace essd::api

namespace essd::api {
namespace {

// docs/api.md "Limits": however deeply a request nests, the daemon answers it.
TEST_F(DispatcherTest, DeepNestingIsABadRequestNotACrash) {
  const std::string deep(32700, '[');
  const auto r = run("{\"id\":" + deep + std::string(32700, ']') + ",\"cmd\":\"status\"}");
  EXPECT_EQ(code(r), "bad_request");
  EXPECT_FALSE(r.contains("id"));
  std::string ok_id = std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']');
  auto ok = run("{\"id\":" + ok_id + ",\"cmd\":\"status\"}");
  EXPECT_TRUE(ok["ok"].get<bool>()) << ok.dump();
  // Brackets inside strings (escaped quotes included) do not count.
  auto s = run("{\"id\":\"\\\"" + deep + "\",\"cmd\":\"status\"}");
  EXPECT_TRUE(s["ok"].get<bool>());
}

TEST(JsonDepth, CountsOnlyStructure) {
  // object > array > object > array: four levels.
  EXPECT_TRUE(json_depth_within("{\"a\":[1,{\"b\":[]}]}", 4));
  EXPECT_FALSE(json_depth_within("{\"a\":[1,{\"b\":[]}]}", 3));
  EXPECT_TRUE(json_depth_within("\"[[[[\\\"[[[[\"", 0));
  EXPECT_TRUE(json_depth_within("]]]]][[", 2)) << "unbalanced: left to the parser";
}

}  // namespace
}  // namespace essd::api
