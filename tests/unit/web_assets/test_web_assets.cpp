// SPDX-License-Identifier: MIT
// The web panel's embedded files as ess-gateway serves them: every file the
// page names is embedded, content types, ETag/304, gzip, the page's CSP,
// and GET /api/gateway.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "gateway/web_assets.hpp"
#include "web/embedded_assets.hpp"

namespace essd::gateway {
namespace {

namespace bhttp = http::bhttp;

const web::EmbeddedAsset* find(std::string_view path) {
  for (const auto& a : web::embedded_assets())
    if (a.path == path) return &a;
  return nullptr;
}

template <class Name>
std::string hdr(const http::Response& r, Name name) {
  auto v = r[name];
  return std::string(v.data(), v.size());
}

struct Served {
  http::Router router;
  int info_calls = 0;
  Served() {
    register_web_assets(router, [this] {
      ++info_calls;
      return nlohmann::json{{"id", "x"}, {"allow_control", false}, {"history_hours", 24}};
    });
  }
  http::Response get(const std::string& path,
                     std::initializer_list<std::pair<bhttp::field, std::string>> headers = {}) {
    http::Request req;
    req.msg = http::Message{bhttp::verb::get, path, 11};
    for (const auto& [f, v] : headers) req.msg.set(f, v);
    req.path = path;
    http::Response out;
    bool answered = false;
    router.route(req, [&](http::Response r) {
      out = std::move(r);
      answered = true;
    });
    EXPECT_TRUE(answered) << path;
    return out;
  }
};

TEST(WebAssets, EveryFileThePageNamesIsEmbedded) {
  const auto* index = find("/");
  ASSERT_NE(index, nullptr);
  const std::string html(index->body);
  const std::regex ref(R"re((?:src|href)="(/[^"]*)")re");
  std::set<std::string> named;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator();
       ++it)
    named.insert((*it)[1].str());
  EXPECT_GE(named.size(), 4u);
  for (const auto& n : named) EXPECT_NE(find(n), nullptr) << n;
  // The modules main.js imports ("./x.js") are served beside it.
  const std::regex import(R"re(from '\./([a-z_]+\.js)')re");
  for (const auto& a : web::embedded_assets()) {
    if (!a.path.ends_with(".js")) continue;
    const std::string js(a.body);
    for (auto it = std::sregex_iterator(js.begin(), js.end(), import); it != std::sregex_iterator();
         ++it)
      EXPECT_NE(find("/assets/" + (*it)[1].str()), nullptr) << a.path << " imports " << (*it)[1];
  }
  EXPECT_NE(html.find("id=\"banner\""), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos) << "nothing from elsewhere";
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(WebAssets, TypesEtagsAndGzipForms) {
  for (const auto& a : web::embedded_assets()) {
    SCOPED_TRACE(std::string(a.path));
    EXPECT_FALSE(a.body.empty());
    EXPECT_TRUE(a.etag.starts_with('"') && a.etag.ends_with('"'));
    if (a.path.ends_with(".js")) {
      EXPECT_EQ(a.content_type, "text/javascript; charset=utf-8");
    }
    if (a.path.ends_with(".css")) {
      EXPECT_EQ(a.content_type, "text/css; charset=utf-8");
    }
    if (!a.gzip.empty()) {
      EXPECT_LT(a.gzip.size(), a.body.size());
      EXPECT_EQ(static_cast<unsigned char>(a.gzip[0]), 0x1f);
      EXPECT_EQ(static_cast<unsigned char>(a.gzip[1]), 0x8b);
    }
  }
  ASSERT_NE(find("/assets/uPlot.iife.min.js"), nullptr);
  EXPECT_FALSE(find("/assets/uPlot.iife.min.js")->gzip.empty());
}

TEST(WebAssets, ServedWithCachingGzipAndThePagePolicy) {
  Served s;
  const auto* index = find("/");
  auto plain = s.get("/");
  EXPECT_EQ(plain.result(), bhttp::status::ok);
  EXPECT_EQ(plain.body(), std::string(index->body));
  EXPECT_EQ(hdr(plain, bhttp::field::content_type), "text/html; charset=utf-8");
  EXPECT_EQ(hdr(plain, bhttp::field::etag), std::string(index->etag));
  EXPECT_EQ(hdr(plain, bhttp::field::cache_control), "no-cache");
  EXPECT_EQ(hdr(plain, bhttp::field::content_encoding), "");
  EXPECT_NE(hdr(plain, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);

  auto gz = s.get("/", {{bhttp::field::accept_encoding, "gzip, deflate, br"}});
  EXPECT_EQ(hdr(gz, bhttp::field::content_encoding), "gzip");
  EXPECT_EQ(gz.body(), std::string(index->gzip));
  EXPECT_EQ(hdr(gz, bhttp::field::vary), "Accept-Encoding");

  auto again = s.get("/assets/main.js",
                     {{bhttp::field::if_none_match, std::string(find("/assets/main.js")->etag)}});
  EXPECT_EQ(again.result(), bhttp::status::not_modified);
  EXPECT_TRUE(again.body().empty());
  auto changed = s.get("/assets/main.js", {{bhttp::field::if_none_match, "\"other\""}});
  EXPECT_EQ(changed.result(), bhttp::status::ok);

  EXPECT_EQ(s.get("/assets/none.js").result(), bhttp::status::not_found);
}

TEST(WebAssets, GatewayInfoIsAskedForEveryRequest) {
  Served s;
  auto r = s.get("/api/gateway");
  EXPECT_EQ(r.result(), bhttp::status::ok);
  EXPECT_EQ(nlohmann::json::parse(r.body())["id"], "x");
  s.get("/api/gateway");
  EXPECT_EQ(s.info_calls, 2);
}

}  // namespace
}  // namespace essd::gateway
