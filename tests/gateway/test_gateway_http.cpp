// SPDX-License-Identifier: MIT
// ess-gateway's HTTP side against a real essd --sim: every route and every
// error of docs/gateway.md "HTTP", the token (header, cookie set by GET /?token=),
// control, max_clients, the SSE stream across an essd restart, and
// `promtool check metrics` on /metrics.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "gateway/gw_rig.hpp"
#include "integration/rig.hpp"

namespace essd::gtest {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string error_code(const HttpReply& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

class GatewayHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    rig.start();
    o.socket = rig.socket();
  }
  void start(const std::string& extra_http = "") {
    o.extra_http = extra_http;
    gw = std::make_unique<Gateway>(dir, o);
    gw->start();
    // Up once /healthz says so.
    itest::poll_until([&] { return get("/healthz").status == 200; }, 10s);
  }
  HttpReply get(const std::string& target, const std::vector<std::string>& h = {}) {
    return http_request(gw->http_port(), "GET", target, h);
  }
  itest::Rig rig{itest::Rig::Bus::in_process_sim, 2};
  TempDir dir;
  GatewayOptions o;
  std::unique_ptr<Gateway> gw;
};

TEST_F(GatewayHttp, RoutesAndErrors) {
  start();
  auto h = get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  for (const char* cmd : {"status", "modules", "display"}) {
    auto r = get(std::string("/api/") + cmd);
    EXPECT_EQ(r.status, 200) << cmd;
    EXPECT_NE(r.head.find("application/json"), std::string::npos);
    json j = json::parse(r.body);
    auto c = rig.client();
    json direct = rig.request(c, {{"cmd", cmd}})["result"];
    std::set<std::string> a, b;
    for (auto& [k, v] : j.items()) a.insert(k);
    for (auto& [k, v] : direct.items()) b.insert(k);
    EXPECT_EQ(a, b) << cmd << ": essd's result unchanged";
  }
  auto ev = json::parse(get("/api/events?after=0&limit=2").body);
  EXPECT_EQ(ev["events"].size(), 2u);
  EXPECT_TRUE(ev.contains("next"));
  auto hist = json::parse(get("/api/history?minutes=5").body);
  ASSERT_TRUE(hist["samples"].is_array());
  ASSERT_FALSE(hist["samples"].empty());
  for (const char* k : {"t", "voltage_v", "current_a", "power_w", "rsoc_pct"})
    EXPECT_TRUE(hist["samples"][0].contains(k));
  EXPECT_EQ(get("/").status, 200);

  EXPECT_EQ(error_code(get("/api/events?after=x")), "bad_request");
  EXPECT_EQ(get("/api/events?limit=0").status, 400);  // essd's invalid_argument
  EXPECT_EQ(error_code(get("/api/history?minutes=0")), "bad_request");
  EXPECT_EQ(get("/api/history?minutes=100000").status, 400);
  auto nf = get("/nope");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(error_code(nf), "not_found");
  auto na = http_request(gw->http_port(), "POST", "/metrics");
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(error_code(na), "method_not_allowed");
  auto big = http_request(gw->http_port(), "POST", "/api/button", {}, std::string(5000, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(error_code(big), "payload_too_large");
  auto head = get("/api/status", {"X-Big: " + std::string(9000, 'a')});
  EXPECT_EQ(head.status, 431);
  EXPECT_EQ(error_code(head), "headers_too_large");
  auto garbage = http_request(gw->http_port(), "", "", {}, "", "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(error_code(garbage), "bad_request");
  auto ctl = http_request(gw->http_port(), "POST", "/api/button", {}, R"({"press":"short"})");
  EXPECT_EQ(ctl.status, 403);
  EXPECT_EQ(error_code(ctl), "forbidden");

  // essd gone: 503 on its routes, the gateway's own still answer.
  rig.essd().signal(SIGTERM);
  ASSERT_TRUE(rig.essd().wait(10s));
  itest::poll_until([&] { return get("/healthz").status == 503; }, 10s);
  EXPECT_EQ(get("/healthz").status, 503);
  auto un = get("/api/status");
  EXPECT_EQ(un.status, 503);
  EXPECT_EQ(error_code(un), "unavailable");
  auto m = get("/metrics").body;
  EXPECT_NE(m.find("essd_up 0"), std::string::npos);
  EXPECT_EQ(m.find("essd_voltage_volts"), std::string::npos)
      << "only essd_up and the gateway's own metrics";
}

TEST_F(GatewayHttp, TokenCookieAndControl) {
  itest::write_file(dir / "token", "tok-123\n");
  start("token_file = \"" + (dir / "token") + "\"\nallow_control = true\n");
  auto no = get("/api/status");
  EXPECT_EQ(no.status, 401);
  EXPECT_EQ(error_code(no), "unauthorized");
  EXPECT_EQ(get("/api/status", {"Authorization: Bearer wrong"}).status, 401);
  EXPECT_EQ(get("/metrics", {"Authorization: Bearer tok-123"}).status, 200);
  EXPECT_EQ(get("/?token=wrong").status, 401);
  auto page = get("/?token=tok-123");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.head.find("Set-Cookie: ess_token=tok-123; HttpOnly; SameSite=Strict"),
            std::string::npos)
      << page.head;
  EXPECT_EQ(get("/api/display", {"Cookie: theme=dark; ess_token=tok-123"}).status, 200);
  if (::geteuid() == 0) {  // essd's own privilege check passes for root
    auto on = http_request(gw->http_port(), "POST", "/api/maintenance",
                           {"Authorization: Bearer tok-123"}, R"({"on":true})");
    EXPECT_EQ(on.status, 200) << on.body;
    auto off = http_request(gw->http_port(), "POST", "/api/maintenance",
                            {"Authorization: Bearer tok-123"}, R"({"on":false})");
    EXPECT_EQ(off.status, 200) << off.body;
  }
  auto bad = http_request(gw->http_port(), "POST", "/api/button", {"Authorization: Bearer tok-123"},
                          R"({"press":"sideways"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(http_request(gw->http_port(), "POST", "/api/button", {}, R"({"press":"short"})").status,
            401);
}

TEST_F(GatewayHttp, ControlWithoutTokenFileIsForbidden) {
  start("allow_control = true\n");
  auto r = http_request(gw->http_port(), "POST", "/api/maintenance", {}, R"({"on":true})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "forbidden");
}

int open_idle(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(0, ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a));
  return fd;
}

TEST_F(GatewayHttp, MaxClientsAndSse) {
  start("max_clients = 2\n");
  int a = open_idle(gw->http_port());
  // The SSE client holds the second slot.
  int s = open_idle(gw->http_port());
  std::string req = "GET /api/stream HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(s, req.data(), req.size(), MSG_NOSIGNAL);
  std::string got;
  auto read_until = [&](const std::string& needle, std::chrono::milliseconds t) {
    const auto deadline = std::chrono::steady_clock::now() + t;
    while (got.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{s, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[8192];
      ssize_t n = ::recv(s, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return got.find(needle) != std::string::npos;
  };
  ASSERT_TRUE(read_until("event: display", 10s)) << got;
  EXPECT_NE(got.find("text/event-stream"), std::string::npos);
  EXPECT_NE(got.find("event: status\ndata: {"), std::string::npos);
  auto busy = get("/healthz");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(error_code(busy), "unavailable");

  // essd away and back: unavailable, then status and display again.
  rig.essd().signal(SIGTERM);
  ASSERT_TRUE(rig.essd().wait(10s));
  ASSERT_TRUE(read_until("event: unavailable", 10s));
  got.erase(0, got.find("event: unavailable"));
  rig.start_essd();
  ASSERT_TRUE(read_until("event: status", 20s));
  ::close(a);
  ::close(s);
}

TEST_F(GatewayHttp, PromtoolChecksMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool not installed";
  start();
  // Modules have reported once /metrics has their cells.
  std::string body;
  itest::poll_until(
      [&] {
        body = get("/metrics").body;
        return body.find("essd_cell_voltage_volts{cell=\"16\",module=\"1\"}") != std::string::npos;
      },
      10s, 100ms);
  for (const char* name : {"essd_up 1",
                           "essd_info{",
                           "essd_voltage_volts",
                           "essd_current_amperes",
                           "essd_power_watts",
                           "essd_state_of_charge_ratio",
                           "essd_path_closed{path=\"charge\"}",
                           "essd_mode{mode=\"normal\"} 1",
                           "essd_error_active{code=\"comm_error\"}",
                           "essd_error_active{code=\"state_file\"}",
                           "essd_limit_current_amperes{direction=\"discharge\"}",
                           "essd_limit_voltage_volts{direction=\"charge\"}",
                           "essd_modules{link=\"connected\"} 2",
                           "essd_modules{link=\"lost\"} 0",
                           "essd_module_voltage_volts{module=\"0\"}",
                           "essd_module_current_amperes{module=\"1\"}",
                           "essd_module_state_of_charge_ratio{module=\"0\"}",
                           "essd_module_temperature_celsius{kind=\"avg\",module=\"0\"}",
                           "essd_module_cycles{module=\"1\"}",
                           "essd_module_alarms{module=\"0\"}",
                           "essd_cell_voltage_volts{cell=\"1\",module=\"0\"}",
                           "essd_bus_frames_received_total",
                           "essd_bus_frames_invalid_total{reason=\"bad_length\"}",
                           "essd_ctrl_frames_sent_total",
                           "essd_api_clients",
                           "essd_uptime_seconds",
                           "essd_gateway_mqtt_connected 0",
                           "essd_gateway_mqtt_messages_total"}) {
    EXPECT_NE(body.find(name), std::string::npos) << name;
  }
  const std::string file = dir / "metrics.txt";
  itest::write_file(file, body);
  auto r = itest::run({"/bin/sh", "-c", "promtool check metrics < " + file + " 2>&1"});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "") << "promtool findings:\n" << r.out;
}

}  // namespace
}  // namespace essd::gtest
