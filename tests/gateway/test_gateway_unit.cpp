// SPDX-License-Identifier: MIT
// The gateway's pure parts: config table and errors, the state message,
// discovery, the HTTP request path, the metrics text.
#include <gtest/gtest.h>

#include "gateway/config.hpp"
#include "gateway/discovery.hpp"
#include "gateway/http_router.hpp"
#include "gateway/metrics.hpp"
#include "gateway/state_model.hpp"

namespace essd::gateway {
namespace {

using nlohmann::json;

TEST(GatewayConfig, DefaultTextParsesBackToDefaults) {
  auto l = parse_config(default_config_text(), "d.toml");
  ASSERT_TRUE(l.ok) << (l.errors.empty() ? "" : l.errors[0]);
  EXPECT_EQ(l.config.http_listen, "127.0.0.1:9877");
  EXPECT_EQ(l.config.mqtt_qos, 1);
  EXPECT_EQ(l.config.state_interval_ms, 1000);
  EXPECT_FALSE(l.config.mqtt_enabled);
}

TEST(GatewayConfig, ErrorsCarryFileAndLine) {
  auto l = parse_config(
      "[mqtt]\nqos = 3\nkeepalive_s = 4\n[http]\nmax_clients = 0\nbogus = 1\n[nope]\nx=1\n",
      "g.toml");
  EXPECT_FALSE(l.ok);
  ASSERT_EQ(l.errors.size(), 5u);
  EXPECT_EQ(l.errors[0], "g.toml:2: mqtt.qos = 3 is out of range [0, 2]");
  EXPECT_EQ(l.errors[1], "g.toml:3: mqtt.keepalive_s = 4 is out of range [5, 600]");
  EXPECT_EQ(l.errors[2], "g.toml:5: http.max_clients = 0 is out of range [1, 1024]");
  EXPECT_EQ(l.errors[3], "g.toml:6: unknown key http.bogus");
  EXPECT_EQ(l.errors[4], "g.toml:7: unknown section [nope]");
  EXPECT_FALSE(parse_config("[mqtt]\nstate_interval_ms = 199\n", "g").ok);
  EXPECT_TRUE(parse_config("[mqtt]\nstate_interval_ms = 200\n", "g").ok);
  EXPECT_FALSE(parse_config("[mqtt]\nheartbeat_s = 3601\n", "g").ok);
  EXPECT_FALSE(parse_config("[http]\nhistory_hours = 169\n", "g").ok);
  EXPECT_FALSE(parse_config("[http]\nlisten = \"nocolon\"\n", "g").ok);
  EXPECT_FALSE(parse_config("[mqtt]\nport = \"1883\"\n", "g").ok);
  EXPECT_FALSE(parse_config("[mqtt\n", "g").ok);
  EXPECT_TRUE(parse_config("[http]\nlisten = \"\"\n", "g").ok);
}

TEST(GatewayConfig, IdIsReduced) {
  EXPECT_EQ(reduced_id("site.a/1 é"), "site_a_1___");
  EXPECT_EQ(reduced_id("ok-id_9"), "ok-id_9");
  EXPECT_FALSE(reduced_id("").empty());
}

TEST(GatewayState, FieldsOverConnectedModules) {
  json status = json::parse(R"({"mode":"normal","voltage_v":50.0,"current_a":-2.5,"rsoc_pct":80,
    "charge":{"closed":true,"blocked_by":[]},"discharge":{"closed":false,"blocked_by":["overcurrent"]},
    "errors":[{"code":"comm_error"}],"limits":{"cvl_v":57.6,"ccl_a":48,"dcl_a":0,"dvl_v":32},
    "heatsink_c":null,"modules_connected":1,"modules_lost":1})");
  json modules = json::parse(
      R"([{"address":0,"link":"connected","cells_mv":[3300,3310],"temp_min_c":20,"temp_max_c":25},
    {"address":1,"link":"lost","cells_mv":[3000,3500],"temp_min_c":0,"temp_max_c":60}])");
  json s = state_fields(status, modules);
  EXPECT_EQ(s["power_w"], -125.0);
  EXPECT_EQ(s["cell_min_mv"], 3300.0);
  EXPECT_EQ(s["cell_max_mv"], 3310.0);
  EXPECT_EQ(s["cell_delta_mv"], 10.0);
  EXPECT_EQ(s["temp_min_c"], 20.0);
  EXPECT_EQ(s["temp_max_c"], 25.0);
  EXPECT_EQ(s["errors"], json::array({"comm_error"}));
  EXPECT_EQ(s["discharge_blocked_by"], json::array({"overcurrent"}));
  EXPECT_TRUE(s["heatsink_c"].is_null());
  json none = state_fields(status, json::array());
  EXPECT_TRUE(none["cell_min_mv"].is_null());
  EXPECT_TRUE(none["temp_max_c"].is_null());
}

TEST(GatewayState, HistoryIsBoundedAndFiltered) {
  TrendHistory h(1);
  for (int i = 0; i < 1000; ++i) h.add(Sample{i * 10, 50.0, 1.0, 50.0, 80.0});
  EXPECT_EQ(h.size(), 360u);
  auto j = h.to_json(9990, 1);
  EXPECT_EQ(j["samples"].size(), 7u);  // t = 9930 ... 9990
  EXPECT_EQ(j["samples"][0]["t"], 9930);
}

TEST(GatewayDiscovery, TopicsAndDevice) {
  DiscoveryContext c{"x1", "essd/x1", "homeassistant", "IJ4001C", "0.1.0", "Barn"};
  auto sys = system_discovery(c);
  ASSERT_EQ(sys.size(), 19u);
  EXPECT_EQ(sys[0].topic, "homeassistant/sensor/essd_x1/voltage/config");
  EXPECT_EQ(sys[0].payload["device"]["suggested_area"], "Barn");
  EXPECT_EQ(sys[0].payload["value_template"], "{{ value_json.voltage_v }}");
  auto mod = module_discovery(c, 7);
  ASSERT_EQ(mod.size(), 3u);
  EXPECT_EQ(mod[2].topic, "homeassistant/sensor/essd_x1/module7_temp_max/config");
  EXPECT_EQ(mod[2].payload["state_topic"], "essd/x1/module/7");
}

http::Response route(http::Router& r, const std::string& target, http::AccessPolicy p = {},
                     http::bhttp::verb v = http::bhttp::verb::get,
                     std::vector<std::pair<std::string, std::string>> h = {}) {
  http::Message m{v, target, 11};
  for (auto& [k, val] : h) m.set(k, val);
  http::Response out;
  r.handle(std::move(m), p, [&](http::Response res) { out = std::move(res); });
  return out;
}

TEST(GatewayRouter, ErrorsTokensAndStatic) {
  http::Router r;
  r.register_static("/app.js", "text/javascript", "console.log(1)");
  r.add(http::bhttp::verb::post, "/x", [](const http::Request& q, const http::Respond& done) {
    done(http::json_response("{}", q.msg.version()));
  });
  EXPECT_EQ(route(r, "/app.js").body(), "console.log(1)");
  EXPECT_EQ(route(r, "/app.js")[http::bhttp::field::content_type], "text/javascript");
  EXPECT_EQ(route(r, "/missing").result_int(), 404);
  auto na = route(r, "/x");
  EXPECT_EQ(na.result_int(), 405);
  EXPECT_EQ(na[http::bhttp::field::allow], "POST");
  EXPECT_EQ(json::parse(na.body())["error"]["code"], "method_not_allowed");
  EXPECT_EQ(route(r, "/a%zz").result_int(), 400);
  http::AccessPolicy p{"t0k", false};
  EXPECT_EQ(route(r, "/app.js", p).result_int(), 401);
  EXPECT_EQ(route(r, "/app.js", p, http::bhttp::verb::get, {{"Authorization", "Bearer t0k"}})
                .result_int(),
            200);
  EXPECT_EQ(route(r, "/app.js", p, http::bhttp::verb::get, {{"Cookie", "a=b; ess_token=t0k"}})
                .result_int(),
            200);
  EXPECT_EQ(
      route(r, "/app.js", p, http::bhttp::verb::get, {{"Cookie", "ess_token=t0"}}).result_int(),
      401);
  EXPECT_EQ(route(r, "/app.js?token=t0k", p).result_int(), 401) << "the query token only on /";
}

TEST(GatewayRouter, QueryDecoding) {
  std::string path;
  std::map<std::string, std::string> q;
  ASSERT_TRUE(http::split_target("/api/events?after=5&limit=%31%30&x", path, q));
  EXPECT_EQ(path, "/api/events");
  EXPECT_EQ(q["after"], "5");
  EXPECT_EQ(q["limit"], "10");
  EXPECT_TRUE(q.count("x"));
  EXPECT_FALSE(http::split_target("nope", path, q));
  EXPECT_FALSE(http::split_target("/a?b=%4", path, q));
}

TEST(GatewayMetrics, OnlyUpWhileEssdIsAway) {
  EssdView v;
  std::string text = render_metrics(v, "a", GatewayStats{});
  EXPECT_NE(text.find("essd_up 0"), std::string::npos);
  EXPECT_EQ(text.find("essd_voltage_volts"), std::string::npos);
  EXPECT_NE(text.find("essd_gateway_mqtt_connected 0"), std::string::npos);
}

}  // namespace
}  // namespace essd::gateway

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/targets/http_request.hpp"

namespace essd::gateway {
namespace {

// The fuzz target's seeds through its invariants, in every test run (a
// crash artifact, once fixed, goes to fuzz/corpus/http_request too).
TEST(GatewayFuzzSeeds, HttpRequestSeedsHoldTheInvariants) {
  // The seeds and every input the fuzzer once crashed on (fuzz/regress).
  int n = 0;
  for (const char* sub : {"fuzz/corpus/http_request", "fuzz/regress/http_request"})
    for (const auto& f :
         std::filesystem::directory_iterator(std::filesystem::path(ESSD_SOURCE_DIR) / sub)) {
      std::ifstream in(f.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string s = ss.str();
      essd::fuzz::run_http_request(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
      ++n;
    }
  EXPECT_GE(n, 4);
  const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n";
  essd::fuzz::run_http_request(reinterpret_cast<const std::uint8_t*>(big.data()), big.size());
}

}  // namespace
}  // namespace essd::gateway
