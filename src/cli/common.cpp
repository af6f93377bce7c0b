// SPDX-License-Identifier: MIT
#include <cstdio>
#include <iostream>

#include "cli/essctl.hpp"

namespace essd::cli {

using nlohmann::json;

int connect(const Options& opt, api::Client& client) {
  if (client.connect(opt.socket, std::chrono::milliseconds(opt.timeout_ms))) return kOk;
  const auto& err = client.error();
  std::cerr << "essctl: " << err.message;
  if (err.kind == api::Client::ErrorKind::unreachable) {
    std::cerr << " (is essd running? use --socket or ESSD_SOCKET)";
  }
  std::cerr << "\n";
  return kUnreachable;
}

int call(const Options& opt, api::Client& client, json req, json& result) {
  auto reply = client.request(std::move(req), std::chrono::milliseconds(opt.timeout_ms));
  if (!reply) {
    std::cerr << "essctl: " << client.error().message << "\n";
    return kUnreachable;
  }
  if (reply->value("ok", false)) {
    result = reply->contains("result") ? (*reply)["result"] : json::object();
    return kOk;
  }
  std::string code = "internal", message = "malformed error reply";
  if (reply->contains("error") && (*reply)["error"].is_object()) {
    const auto& e = (*reply)["error"];
    code = e.value("code", code);
    message = e.value("message", message);
  }
  if (opt.json) {
    print_json(*reply);
  } else {
    std::cerr << "essctl: " << message << " (" << code << ")\n";
  }
  return code == "forbidden" ? kForbidden : kErrorReply;
}

int call(const Options& opt, json req, json& result) {
  api::Client client;
  if (int rc = connect(opt, client); rc != kOk) return rc;
  return call(opt, client, std::move(req), result);
}

void print_json(const json& j) {
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
}

std::string num(const json& v, int decimals) {
  if (!v.is_number()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v.get<double>());
  return buf;
}

std::string str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

}  // namespace essd::cli
