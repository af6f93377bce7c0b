// SPDX-License-Identifier: MIT
#pragma once
// Real components for the gateway tests: a mosquitto broker started with a
// temporary config on a free 127.0.0.1 port, an ess-gateway process, an
// MQTT subscriber on libmosquitto and a small blocking HTTP client.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/harness.hpp"

struct mosquitto;
struct mosquitto_message;

namespace essd::gtest {

using itest::Child;
using itest::Ms;
using itest::TempDir;

/// A port that was free a moment ago (bind 0, read it back, close).
int free_port();
/// Waits until something accepts TCP connections on 127.0.0.1:port.
bool wait_listening(int port, Ms timeout);

struct Tls {
  std::string ca, cert, key;  // PEM files
  std::string user, password;
};
/// CA and a server certificate for localhost/127.0.0.1, made with openssl.
Tls make_tls(const TempDir& dir);

class Broker {
 public:
  Broker(const TempDir& dir, std::optional<Tls> tls = std::nullopt);
  ~Broker();
  void start();  // same port as before after a stop
  void stop();   // SIGTERM, waits
  int port() const { return port_; }

 private:
  const TempDir& dir_;
  std::optional<Tls> tls_;
  int port_ = 0;
  Child child_;
};

struct Message {
  std::string topic, payload;
  bool retain = false;
};

class Subscriber {
 public:
  /// Connects (clean_session false when `session` is non-empty: the broker
  /// keeps its QoS 1 messages across our own reconnects) and subscribes to `filter`.
  Subscriber(int port, const std::string& filter, std::optional<Tls> tls = std::nullopt,
             std::string session = "");
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;
  /// Waits for a message matching pred that arrived after index `from`.
  std::optional<Message> wait_for(const std::function<bool(const Message&)>& pred, Ms timeout,
                                  std::size_t from = 0);
  std::vector<Message> messages();
  std::size_t count();
  /// The latest payload seen on `topic` (retained or not).
  std::optional<Message> latest(const std::string& topic);

 private:
  static void on_message(mosquitto*, void*, const ::mosquitto_message*);
  mosquitto* mosq_ = nullptr;
  std::string filter_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Message> msgs_;
};

struct GatewayOptions {
  std::string id = "test";
  std::string socket;
  std::optional<int> mqtt_port;
  std::optional<Tls> tls;
  std::string extra_mqtt;  // more [mqtt] lines
  std::string extra_http;  // more [http] lines
};

class Gateway {
 public:
  Gateway(const TempDir& dir, GatewayOptions o, const std::string& name = "gw");
  ~Gateway();
  void start();
  Child& child() { return child_; }
  int http_port() const { return http_port_; }
  std::string log() const;
  std::string config_path() const { return dir_ / (name_ + ".toml"); }

 private:
  const TempDir& dir_;
  GatewayOptions o_;
  std::string name_;
  Child child_;
  int http_port_ = 0;
};

struct HttpReply {
  int status = 0;
  std::string head, body;
};
/// One request over a fresh connection (`raw` is sent as is when not empty).
HttpReply http_request(int port, const std::string& method, const std::string& target,
                       const std::vector<std::string>& headers = {}, const std::string& body = "",
                       const std::string& raw = "");

}  // namespace essd::gtest
