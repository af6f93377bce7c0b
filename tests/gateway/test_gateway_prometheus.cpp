// SPDX-License-Identifier: MIT
// A real Prometheus scrapes three gateways in front of three essd --sim with
// different module counts; PromQL through its HTTP API returns the
// per-controller and the summed values.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>

#include "gateway/gw_rig.hpp"
#include "integration/rig.hpp"

namespace essd::gtest {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string url_encode(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

json query(int port, const std::string& promql) {
  auto r = http_request(port, "GET", "/api/v1/query?query=" + url_encode(promql));
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() ? j : json();
}

TEST(GatewayPrometheus, ThreeControllersPerControllerAndSummed) {
  if (std::system("command -v prometheus >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "prometheus not installed";
  const std::vector<int> counts = {1, 2, 4};
  std::vector<std::unique_ptr<itest::Rig>> rigs;
  std::vector<std::unique_ptr<Gateway>> gws;
  TempDir dir;
  std::string targets;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    rigs.push_back(std::make_unique<itest::Rig>(itest::Rig::Bus::in_process_sim, counts[i]));
    rigs.back()->start();
    GatewayOptions o;
    o.id = "c" + std::to_string(i + 1);
    o.socket = rigs.back()->socket();
    gws.push_back(std::make_unique<Gateway>(dir, o, o.id));
    gws.back()->start();
    targets += std::string(targets.empty() ? "" : ", ") +
               "'127.0.0.1:" + std::to_string(gws.back()->http_port()) + "'";
  }
  itest::write_file(dir / "prometheus.yml",
                    "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: essd\n    static_configs:\n      - targets: [" +
                        targets + "]\n");
  Child prom;
  int port = 0;
  for (int attempt = 0; attempt < 5 && port == 0; ++attempt) {
    const int p = free_port();
    itest::SpawnOptions so;
    so.output_file = dir / "prometheus.log";
    prom = Child({itest::system_program("prometheus"), "--config.file=" + (dir / "prometheus.yml"),
                  "--storage.tsdb.path=" + (dir / "tsdb"),
                  "--web.listen-address=127.0.0.1:" + std::to_string(p)},
                 so);
    if (wait_listening(p, 20s) && prom.running()) port = p;
  }
  ASSERT_NE(port, 0) << itest::read_file(dir / "prometheus.log");

  // Per controller: essd_modules joined with essd_info's id label.
  const std::string per =
      "essd_modules{link=\"connected\"} * on(instance) group_left(id) essd_info";
  std::map<std::string, double> by_id;
  double sum = -1;
  // Polled: the next scrape is due every 1 s.
  itest::poll_until(
      [&] {
        by_id.clear();
        json r = query(port, per);
        if (r.is_object() && r.value("status", "") == "success") {
          for (auto& s : r["data"]["result"])
            by_id[s["metric"]["id"]] = std::stod(s["value"][1].get<std::string>());
        }
        json t = query(port, "sum(essd_modules{link=\"connected\"})");
        if (t.is_object() && t.value("status", "") == "success" && !t["data"]["result"].empty()) {
          sum = std::stod(t["data"]["result"][0]["value"][1].get<std::string>());
        }
        return by_id.size() == 3 && by_id["c1"] == 1 && by_id["c2"] == 2 && by_id["c3"] == 4 &&
               sum == 7;
      },
      60s, 500ms);
  EXPECT_EQ(by_id["c1"], 1);
  EXPECT_EQ(by_id["c2"], 2);
  EXPECT_EQ(by_id["c3"], 4);
  EXPECT_EQ(sum, 7);
  json cells = query(port, "count(essd_cell_voltage_volts)");
  ASSERT_TRUE(cells.is_object()) << "Prometheus gave no answer";
  ASSERT_EQ(cells.value("status", ""), "success");
  ASSERT_FALSE(cells["data"]["result"].empty());
  EXPECT_EQ(std::stod(cells["data"]["result"][0]["value"][1].get<std::string>()), 7 * 16);
  json up = query(port, "sum(essd_up)");
  ASSERT_TRUE(up.is_object() && !up["data"]["result"].empty()) << up.dump();
  EXPECT_EQ(std::stod(up["data"]["result"][0]["value"][1].get<std::string>()), 3);
  prom.signal(SIGTERM);
  prom.wait(10s);
}

}  // namespace
}  // namespace essd::gtest
