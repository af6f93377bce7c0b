// SPDX-License-Identifier: MIT
#pragma once
// ess-gateway's configuration: /etc/essd/gateway.toml. Same rules as essd's
// file: every key declared once (with bounds and its default-file comment),
// unknown keys and bad values reported as "FILE:LINE: reason", any error
// rejects the whole file.
#include <string>
#include <string_view>
#include <vector>

namespace essd::gateway {

inline constexpr const char* kDefaultConfigPath = "/etc/essd/gateway.toml";

struct GatewayConfig {
  // [gateway]
  std::string id;  // as written; see reduced_id()
  std::string site;
  // [essd]
  std::string socket = "/run/essd/essd.sock";
  // [mqtt]
  bool mqtt_enabled = false;
  std::string mqtt_host = "localhost";
  int mqtt_port = 1883;
  bool mqtt_tls = false;
  std::string mqtt_ca_file;
  std::string mqtt_username;
  std::string mqtt_password_file;
  std::string mqtt_client_id;
  std::string mqtt_prefix = "essd";
  int mqtt_qos = 1;
  int mqtt_keepalive_s = 30;
  int state_interval_ms = 1000;
  int module_interval_ms = 5000;
  int heartbeat_s = 30;
  bool discovery = true;
  std::string discovery_prefix = "homeassistant";
  // [http]
  bool http_enabled = true;
  std::string http_listen = "127.0.0.1:9877";
  int http_max_clients = 32;
  std::string http_token_file;
  bool allow_control = false;
  int history_hours = 24;
};

struct ConfigLoad {
  bool ok = false;
  GatewayConfig config;
  std::vector<std::string> errors;  // "FILE:LINE: reason"
};

ConfigLoad parse_config(std::string_view text, const std::string& source_name);
/// A missing default file means built-in defaults; a missing named file is an error.
ConfigLoad load_config(const std::string& path, bool named);
std::string default_config_text();

/// Every character outside [A-Za-z0-9_-] replaced by '_'; "" = the host name.
std::string reduced_id(const std::string& id);
/// "host:port" -> parts; false when malformed.
bool split_listen(const std::string& listen, std::string& host, int& port);

}  // namespace essd::gateway
