// SPDX-License-Identifier: MIT
// ess-gateway against a real mosquitto and a real essd --sim: every topic
// and retained flag, discovery payloads field by field, events exactly once
// in order across a broker restart and an essd restart, the will on
// SIGKILL, offline while essd is stopped; then TLS with a password.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <set>

#include "gateway/gw_rig.hpp"
#include "integration/rig.hpp"

namespace essd::gtest {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

bool is(const Message& m, const std::string& topic, const std::string& payload = "") {
  return m.topic == topic && (payload.empty() || m.payload == payload);
}

void privileged(itest::Rig& rig, json req) {
  auto c = rig.client();
  auto r = rig.request(c, std::move(req));
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
}

std::vector<json> published_events(Subscriber& s, const std::string& base) {
  std::vector<json> out;
  for (const auto& m : s.messages()) {
    if (m.topic == base + "/event") out.push_back(json::parse(m.payload));
  }
  return out;
}

// Events on the broker are exactly essd's history from the first published
// seq to the last: no gap, no duplicate, in order, each unchanged.
void expect_exactly_once(itest::Rig& rig, const std::vector<json>& pub) {
  ASSERT_FALSE(pub.empty());
  const auto first = pub.front()["seq"].get<std::uint64_t>();
  const auto last = pub.back()["seq"].get<std::uint64_t>();
  std::vector<json> hist;
  for (auto& e : rig.all_events()) {
    const auto seq = e["seq"].get<std::uint64_t>();
    if (seq >= first && seq <= last) hist.push_back(e);
  }
  ASSERT_EQ(pub.size(), hist.size())
      << "published " << pub.size() << " events for " << hist.size()
      << " in essd's history between seq " << first << " and " << last;
  for (std::size_t i = 0; i < pub.size(); ++i) EXPECT_EQ(pub[i], hist[i]) << "event " << i;
}

void check_discovery(Subscriber& s, const std::string& id, const std::string& base) {
  const std::string dp = "homeassistant/";
  auto config = [&](const std::string& component, const std::string& object) {
    auto m = s.wait_for(
        [&](const Message& x) {
          return x.topic == dp + component + "/essd_" + id + "/" + object + "/config";
        },
        10s);
    EXPECT_TRUE(m) << object;
    if (m) {
      EXPECT_TRUE(m->retain) << object << " discovery must be retained";
    }
    return m ? json::parse(m->payload) : json();
  };
  struct Row {
    std::string component, object, device_class, unit, field, topic;
    bool diagnostic = false;
  };
  const std::string st = base + "/state";
  const std::vector<Row> rows = {
      {"sensor", "voltage", "voltage", "V", "voltage_v", st},
      {"sensor", "current", "current", "A", "current_a", st},
      {"sensor", "power", "power", "W", "power_w", st},
      {"sensor", "soc", "battery", "%", "rsoc_pct", st},
      {"sensor", "cell_min", "voltage", "mV", "cell_min_mv", st},
      {"sensor", "cell_max", "voltage", "mV", "cell_max_mv", st},
      {"sensor", "cell_delta", "voltage", "mV", "cell_delta_mv", st},
      {"sensor", "temp_min", "temperature", "°C", "temp_min_c", st},
      {"sensor", "temp_max", "temperature", "°C", "temp_max_c", st},
      {"sensor", "heatsink", "temperature", "°C", "heatsink_c", st},
      {"sensor", "ccl", "current", "A", "ccl_a", st, true},
      {"sensor", "dcl", "current", "A", "dcl_a", st, true},
      {"sensor", "cvl", "voltage", "V", "cvl_v", st, true},
      {"sensor", "dvl", "voltage", "V", "dvl_v", st, true},
      {"sensor", "modules_connected", "", "", "modules_connected", st},
      {"sensor", "mode", "enum", "", "mode", st},
      {"binary_sensor", "charge_path", "power", "", "charge_closed", st},
      {"binary_sensor", "discharge_path", "power", "", "discharge_closed", st},
      {"binary_sensor", "problem", "problem", "", "errors", st},
      {"sensor", "module0_voltage", "voltage", "V", "voltage_v", base + "/module/0"},
      {"sensor", "module1_soc", "battery", "%", "rsoc_pct", base + "/module/1"},
      {"sensor", "module2_temp_max", "temperature", "°C", "temp_max_c", base + "/module/2"},
  };
  for (const auto& r : rows) {
    json c = config(r.component, r.object);
    SCOPED_TRACE(r.object);
    EXPECT_EQ(c["unique_id"], "essd_" + id + "_" + r.object);
    EXPECT_EQ(c["availability_topic"], base + "/availability");
    EXPECT_EQ(c["state_topic"], r.topic);
    const std::string vt = c.value("value_template", "");
    EXPECT_NE(vt.find("value_json." + r.field), std::string::npos) << vt;
    if (r.device_class.empty())
      EXPECT_FALSE(c.contains("device_class"));
    else
      EXPECT_EQ(c["device_class"], r.device_class);
    if (r.unit.empty()) {
      EXPECT_FALSE(c.contains("unit_of_measurement"));
      EXPECT_FALSE(c.contains("state_class"));
    } else {
      EXPECT_EQ(c["unit_of_measurement"], r.unit);
      EXPECT_EQ(c["state_class"], "measurement");
    }
    if (r.diagnostic)
      EXPECT_EQ(c["entity_category"], "diagnostic");
    else
      EXPECT_FALSE(c.contains("entity_category"));
    EXPECT_EQ(c["device"]["identifiers"], json::array({"essd_" + id}));
    EXPECT_EQ(c["device"]["manufacturer"], "Sony");
    EXPECT_EQ(c["device"]["model"], "IJ1001C");
    EXPECT_EQ(c["device"]["sw_version"], "0.1.0");
    EXPECT_EQ(c["device"]["name"], "ESS " + id);
    if (r.component == "binary_sensor") {
      EXPECT_EQ(c["payload_on"], "ON");
      EXPECT_EQ(c["payload_off"], "OFF");
    }
  }
}

TEST(GatewayMqtt, TopicsRetainedDiscoveryEventsExactlyOnceAcrossRestarts) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the privileged commands that make events";
  itest::Rig rig(itest::Rig::Bus::in_process_sim, 3);
  rig.start();
  TempDir dir;
  Broker broker(dir);
  broker.start();
  // A persistent session: the broker keeps our QoS 1 messages while we are
  // reconnecting after its restart.
  Subscriber live(broker.port(), "#", std::nullopt, "essd-gateway-test-live");
  GatewayOptions o;
  o.id = "site.a/1";  // reduced to site_a_1
  o.socket = rig.socket();
  o.mqtt_port = broker.port();
  o.extra_mqtt = "state_interval_ms = 200\nmodule_interval_ms = 1000\nheartbeat_s = 5\n";
  Gateway gw(dir, o);
  gw.start();
  const std::string id = "site_a_1", base = "essd/" + id;

  ASSERT_TRUE(
      live.wait_for([&](const Message& m) { return is(m, base + "/availability", "online"); }, 15s))
      << gw.log();
  auto state = live.wait_for(
      [&](const Message& m) {
        if (!is(m, base + "/state")) return false;
        // Connected first, cell voltages a little later (null until then).
        const json j = json::parse(m.payload);
        return j.value("modules_connected", 0) == 3 && j["cell_delta_mv"].is_number() &&
               j["power_w"].is_number();
      },
      15s);
  ASSERT_TRUE(state) << gw.log();
  json s = json::parse(state->payload);
  for (const char* k : {"time",
                        "mode",
                        "voltage_v",
                        "current_a",
                        "power_w",
                        "rsoc_pct",
                        "charge_closed",
                        "discharge_closed",
                        "charge_blocked_by",
                        "discharge_blocked_by",
                        "errors",
                        "cvl_v",
                        "ccl_a",
                        "dcl_a",
                        "dvl_v",
                        "heatsink_c",
                        "modules_connected",
                        "modules_lost",
                        "cell_min_mv",
                        "cell_max_mv",
                        "cell_delta_mv",
                        "temp_min_c",
                        "temp_max_c"}) {
    EXPECT_TRUE(s.contains(k)) << k;
  }
  EXPECT_EQ(s.size(), 23u) << s.dump();
  EXPECT_NEAR(s["power_w"].get<double>(),
              s["voltage_v"].get<double>() * s["current_a"].get<double>(), 0.01);
  EXPECT_EQ(s["cell_delta_mv"].get<double>(),
            s["cell_max_mv"].get<double>() - s["cell_min_mv"].get<double>());
  EXPECT_TRUE(s["time"].get<std::string>().ends_with("Z"));

  // Module messages: the docs/api.md entry, same field names.
  auto c = rig.client();
  json modules = rig.request(c, {{"cmd", "modules"}})["result"]["modules"];
  for (int a = 0; a < 3; ++a) {
    auto m = live.wait_for(
        [&](const Message& x) { return is(x, base + "/module/" + std::to_string(a)); }, 10s);
    ASSERT_TRUE(m);
    json e = json::parse(m->payload);
    EXPECT_EQ(e["address"], a);
    std::set<std::string> want, got;
    for (auto& [k, v] : modules[a].items()) want.insert(k);
    for (auto& [k, v] : e.items()) got.insert(k);
    EXPECT_EQ(got, want);
  }
  // Periodic: at least two more messages per module within a few intervals.
  const std::size_t mark = live.count();
  EXPECT_TRUE(live.wait_for([&](const Message& x) { return is(x, base + "/module/2"); }, 5s, mark));

  // Retained flags, as a subscriber that arrives later sees them.
  {
    Subscriber late(broker.port(), "#");
    for (const std::string& t : std::vector<std::string>{
             base + "/availability", base + "/state", base + "/module/0",
             std::string("homeassistant/sensor/essd_" + id + "/voltage/config")}) {
      auto m = late.wait_for([&](const Message& x) { return x.topic == t && x.retain; }, 10s);
      EXPECT_TRUE(m) << t << " not retained";
    }
    check_discovery(late, id, base);
  }

  // Events, then a broker restart with events made while it is down.
  privileged(rig, {{"cmd", "maintenance"}, {"on", true}});
  ASSERT_TRUE(live.wait_for(
      [&](const Message& m) {
        return is(m, base + "/event") && json::parse(m.payload)["kind"] == "mode_change";
      },
      10s));
  {
    Subscriber late(broker.port(), base + "/event");
    // Events are not retained: a late subscriber gets none of them.
    EXPECT_FALSE(late.wait_for([](const Message&) { return true; }, 1s));
  }
  broker.stop();
  privileged(rig, {{"cmd", "maintenance"}, {"on", false}});
  privileged(rig, {{"cmd", "button"}, {"press", "short"}});
  broker.start();
  ASSERT_TRUE(live.wait_for(
      [&](const Message& m) {
        return is(m, base + "/event") &&
               json::parse(m.payload).value("message", "") == "mode maintenance -> normal";
      },
      30s))
      << gw.log();

  // essd stopped: offline, /healthz 503; back: online and its events.
  std::size_t before_stop = live.count();
  rig.essd().signal(SIGTERM);
  ASSERT_TRUE(rig.essd().wait(10s));
  ASSERT_TRUE(
      live.wait_for([&](const Message& m) { return is(m, base + "/availability", "offline"); }, 15s,
                    before_stop));
  EXPECT_EQ(http_request(gw.http_port(), "GET", "/healthz").status, 503);
  EXPECT_NE(http_request(gw.http_port(), "GET", "/metrics").body.find("essd_up 0"),
            std::string::npos);
  std::size_t before_start = live.count();
  rig.start_essd();
  ASSERT_TRUE(
      live.wait_for([&](const Message& m) { return is(m, base + "/availability", "online"); }, 20s,
                    before_start));
  privileged(rig, {{"cmd", "maintenance"}, {"on", true}});
  ASSERT_TRUE(live.wait_for(
      [&](const Message& m) {
        return is(m, base + "/event") &&
               json::parse(m.payload).value("message", "") == "mode normal -> maintenance";
      },
      15s, before_start))
      << gw.log();
  // essd's start-up events while the gateway runs are on the broker too.
  auto pub = published_events(live, base);
  expect_exactly_once(rig, pub);
  std::set<std::string> kinds;
  for (auto& e : pub) kinds.insert(e["kind"].get<std::string>());
  EXPECT_GT(kinds.size(), 2u);

  // The will: SIGKILL leaves the broker to say offline.
  std::size_t before_kill = live.count();
  gw.child().signal(SIGKILL);
  EXPECT_TRUE(
      live.wait_for([&](const Message& m) { return is(m, base + "/availability", "offline"); }, 15s,
                    before_kill));
}

TEST(GatewayMqtt, TlsWithCaVerificationAndPassword) {
  itest::Rig rig(itest::Rig::Bus::in_process_sim, 2);
  rig.start();
  TempDir dir;
  Tls tls = make_tls(dir);
  Broker broker(dir, tls);
  broker.start();
  Subscriber sub(broker.port(), "#", tls);
  GatewayOptions o;
  o.id = "tls1";
  o.socket = rig.socket();
  o.mqtt_port = broker.port();
  o.tls = tls;
  Gateway gw(dir, o);
  gw.start();
  ASSERT_TRUE(
      sub.wait_for([](const Message& m) { return is(m, "essd/tls1/availability", "online"); }, 15s))
      << gw.log();
  ASSERT_TRUE(sub.wait_for([](const Message& m) { return is(m, "essd/tls1/state"); }, 15s));

  // A gateway that trusts another CA never connects.
  TempDir other;
  Tls wrong = make_tls(other);
  wrong.user = tls.user;
  wrong.password = tls.password;
  GatewayOptions w = o;
  w.id = "tls2";
  w.tls = wrong;
  Gateway bad(dir, w, "bad");
  bad.start();
  // A third with the right CA connects: the broker was reachable meanwhile.
  GatewayOptions r = o;
  r.id = "tls3";
  Gateway good(dir, r, "good");
  good.start();
  ASSERT_TRUE(sub.wait_for(
      [](const Message& m) { return is(m, "essd/tls3/availability", "online"); }, 15s));
  EXPECT_FALSE(
      sub.wait_for([](const Message& m) { return m.topic.starts_with("essd/tls2/"); }, 1s));
  EXPECT_NE(
      http_request(bad.http_port(), "GET", "/metrics").body.find("essd_gateway_mqtt_connected 0"),
      std::string::npos);
  EXPECT_NE(
      http_request(gw.http_port(), "GET", "/metrics").body.find("essd_gateway_mqtt_connected 1"),
      std::string::npos);
  // The password never reaches a log.
  for (auto* g : {&gw, &bad, &good}) EXPECT_EQ(g->log().find(tls.password), std::string::npos);
}

}  // namespace
}  // namespace essd::gtest
