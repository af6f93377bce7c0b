// SPDX-License-Identifier: MIT
// gateway.toml -> GatewayConfig, walking one key table; every problem with its line.
#include "gateway/config.hpp"

#include <unistd.h>

#include <limits.h>
#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <variant>

namespace essd::gateway {
namespace {

using Member =
    std::variant<std::string GatewayConfig::*, int GatewayConfig::*, bool GatewayConfig::*>;

struct Key {
  std::string_view section;
  std::string_view name;
  Member member;
  int lo = 0, hi = 0;  // integer bounds, inclusive
  std::string_view comment;
};

const std::vector<Key>& keys() {
  using C = GatewayConfig;
  static const std::vector<Key> kTable = {
      {"gateway", "id", &C::id, 0, 0,
       "controller id in topics, labels and the page; \"\" = the host name"},
      {"gateway", "site", &C::site, 0, 0, "optional site name (HA suggested area, page title)"},
      {"essd", "socket", &C::socket, 0, 0, "essd's API socket"},
      {"mqtt", "enabled", &C::mqtt_enabled, 0, 0, ""},
      {"mqtt", "host", &C::mqtt_host, 0, 0, ""},
      {"mqtt", "port", &C::mqtt_port, 1, 65535, "[1, 65535]"},
      {"mqtt", "tls", &C::mqtt_tls, 0, 0, ""},
      {"mqtt", "ca_file", &C::mqtt_ca_file, 0, 0, "tls: CA bundle; \"\" = the system's"},
      {"mqtt", "username", &C::mqtt_username, 0, 0, ""},
      {"mqtt", "password_file", &C::mqtt_password_file, 0, 0,
       "file holding the password (kept out of this file and the logs)"},
      {"mqtt", "client_id", &C::mqtt_client_id, 0, 0, "\"\" = \"ess-gateway-<id>\""},
      {"mqtt", "prefix", &C::mqtt_prefix, 0, 0, "topics are <prefix>/<id>/..."},
      {"mqtt", "qos", &C::mqtt_qos, 0, 2, "[0, 2] for state and module messages"},
      {"mqtt", "keepalive_s", &C::mqtt_keepalive_s, 5, 600, "[5, 600]"},
      {"mqtt", "state_interval_ms", &C::state_interval_ms, 200, 60000,
       "[200, 60000] at most one state message per interval"},
      {"mqtt", "module_interval_ms", &C::module_interval_ms, 1000, 60000,
       "[1000, 60000] per module"},
      {"mqtt", "heartbeat_s", &C::heartbeat_s, 5, 3600,
       "[5, 3600] state republished at least this often"},
      {"mqtt", "discovery", &C::discovery, 0, 0, "Home Assistant discovery configs"},
      {"mqtt", "discovery_prefix", &C::discovery_prefix, 0, 0, ""},
      {"http", "enabled", &C::http_enabled, 0, 0, ""},
      {"http", "listen", &C::http_listen, 0, 0, "host:port; \"\" = off"},
      {"http", "max_clients", &C::http_max_clients, 1, 1024, "[1, 1024]"},
      {"http", "token_file", &C::http_token_file, 0, 0,
       "non-empty: every request needs \"Authorization: Bearer <token>\""},
      {"http", "allow_control", &C::allow_control, 0, 0,
       "true: POST /api/button and /api/maintenance (they also need the token)"},
      {"http", "history_hours", &C::history_hours, 1, 168,
       "[1, 168] trend samples kept in memory, one per 10 s"},
  };
  return kTable;
}

int line_of(const toml::node& n) {
  return static_cast<int>(n.source().begin.line);
}

std::string where(const std::string& file, int line) {
  return file + ":" + std::to_string(line) + ": ";
}

// MQTT topic levels must not carry wildcards or separators of their own.
bool topic_safe(const std::string& s, bool allow_slash) {
  for (char c : s) {
    if (c == '+' || c == '#' || c == '\0' || (!allow_slash && c == '/')) return false;
  }
  return true;
}

void check_combinations(const GatewayConfig& c, const std::string& file, const toml::table& root,
                        std::vector<std::string>& errors) {
  auto line = [&](std::string_view sec, std::string_view key) {
    if (const auto* n = root.at_path(std::string(sec) + "." + std::string(key)).node())
      return line_of(*n);
    return 0;
  };
  std::string h;
  int p = 0;
  if (!c.http_listen.empty() && !split_listen(c.http_listen, h, p)) {
    errors.push_back(where(file, line("http", "listen")) +
                     "http.listen must be \"host:port\" with port 1-65535 (got \"" + c.http_listen +
                     "\")");
  }
  if (c.mqtt_prefix.empty() || !topic_safe(c.mqtt_prefix, true)) {
    errors.push_back(where(file, line("mqtt", "prefix")) +
                     "mqtt.prefix must be non-empty and free of '+' and '#'");
  }
  if (c.discovery_prefix.empty() || !topic_safe(c.discovery_prefix, true)) {
    errors.push_back(where(file, line("mqtt", "discovery_prefix")) +
                     "mqtt.discovery_prefix must be non-empty and free of '+' and '#'");
  }
  if (c.mqtt_enabled && c.mqtt_host.empty()) {
    errors.push_back(where(file, line("mqtt", "host")) +
                     "mqtt.host must not be empty while mqtt.enabled");
  }
  if (c.socket.empty())
    errors.push_back(where(file, line("essd", "socket")) + "essd.socket must not be empty");
}

/// Sets `def`'s member of `c` from `node`; "" when done, else the problem
/// (after "FILE:LINE: ").
std::string assign_key(GatewayConfig& c, const Key& def, const toml::node& node,
                       const std::string& full) {
  if (auto* s = std::get_if<std::string GatewayConfig::*>(&def.member)) {
    if (!node.is_string()) return full + " must be a string";
    c.*(*s) = *node.value<std::string>();
  } else if (auto* b = std::get_if<bool GatewayConfig::*>(&def.member)) {
    if (!node.is_boolean()) return full + " must be true or false";
    c.*(*b) = *node.value<bool>();
  } else if (auto* i = std::get_if<int GatewayConfig::*>(&def.member)) {
    if (!node.is_integer()) return full + " must be an integer";
    const auto v = *node.value<std::int64_t>();
    if (v < def.lo || v > def.hi) {
      return full + " = " + std::to_string(v) + " is out of range [" + std::to_string(def.lo) +
             ", " + std::to_string(def.hi) + "]";
    }
    c.*(*i) = static_cast<int>(v);
  }
  return {};
}

}  // namespace

bool split_listen(const std::string& listen, std::string& host, int& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= listen.size()) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string ps = listen.substr(colon + 1);
  if (ps.size() > 5 || ps.find_first_not_of("0123456789") != std::string::npos) return false;
  port = std::stoi(ps);
  return port >= 0 && port <= 65535;  // 0: an ephemeral port (tests)
}

std::string reduced_id(const std::string& id) {
  std::string s = id;
  if (s.empty()) {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) s = buf;
    if (s.empty()) s = "essd";
  }
  for (char& ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) && c < 0x80) && c != '_' && c != '-') ch = '_';
  }
  return s;
}

ConfigLoad parse_config(std::string_view text, const std::string& file) {
  ConfigLoad out;
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    out.errors.push_back(where(file, static_cast<int>(e.source().begin.line)) +
                         std::string(e.description()));
    return out;
  }
  GatewayConfig& c = out.config;
  for (const auto& [sec_name, sec_node] : root) {
    const std::string sec(sec_name.str());
    const auto* sec_table = sec_node.as_table();
    bool known_section = false;
    for (const auto& k : keys()) known_section |= k.section == sec;
    if (!known_section || !sec_table) {
      out.errors.push_back(where(file, line_of(sec_node)) + "unknown section [" + sec + "]");
      continue;
    }
    for (const auto& [key_name, node] : *sec_table) {
      const std::string key(key_name.str());
      const Key* def = nullptr;
      for (const auto& k : keys()) {
        if (k.section == sec && k.name == key) def = &k;
      }
      const std::string full = sec + "." + key;
      const std::string at = where(file, line_of(node));
      if (!def) {
        out.errors.push_back(at + "unknown key " + full);
        continue;
      }
      if (std::string bad = assign_key(c, *def, node, full); !bad.empty()) {
        out.errors.push_back(at + bad);
      }
    }
  }
  check_combinations(c, file, root, out.errors);
  // toml++ tables are not in file order: report in line order.
  auto line_no = [&](const std::string& e) { return std::atoi(e.c_str() + file.size() + 1); };
  std::stable_sort(
      out.errors.begin(), out.errors.end(),
      [&](const std::string& a, const std::string& b) { return line_no(a) < line_no(b); });
  out.ok = out.errors.empty();
  if (!out.ok) out.config = GatewayConfig{};
  return out;
}

ConfigLoad load_config(const std::string& path, bool named) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    if (!named && e == ENOENT) {
      ConfigLoad d;
      d.ok = true;
      return d;
    }
    ConfigLoad bad;
    bad.errors.push_back(path + ":0: cannot read: " + std::strerror(e));
    return bad;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

std::string default_config_text() {
  const GatewayConfig d;
  std::ostringstream o;
  o << "# ess-gateway configuration (/etc/essd/gateway.toml): MQTT, Prometheus\n"
       "# and the web panel for one essd. SIGHUP reloads it.\n";
  std::string_view section;
  for (const auto& k : keys()) {
    if (k.section != section) {
      o << "\n[" << k.section << "]\n";
      section = k.section;
    }
    std::string value;
    if (auto* s = std::get_if<std::string GatewayConfig::*>(&k.member)) {
      value = "\"" + d.*(*s) + "\"";
    } else if (auto* b = std::get_if<bool GatewayConfig::*>(&k.member)) {
      value = d.*(*b) ? "true" : "false";
    } else if (auto* i = std::get_if<int GatewayConfig::*>(&k.member)) {
      value = std::to_string(d.*(*i));
    }
    std::string line = std::string(k.name) + " = " + value;
    if (!k.comment.empty()) {
      line.resize(std::max<std::size_t>(line.size() + 1, 27), ' ');
      line += "# " + std::string(k.comment);
    }
    o << line << "\n";
  }
  return o.str();
}

}  // namespace essd::gateway
