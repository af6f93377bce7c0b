// SPDX-License-Identifier: MIT
#pragma once
// One MQTT connection on libmosquitto, run so that it can never block the
// gateway's io_context: the connection (DNS, TCP, TLS handshake, all
// blocking in libmosquitto) and its network loop run on a thread of their
// own, one fresh libmosquitto object per connection. Callbacks are posted
// back to the io_context. The gateway hands messages over only while
// connected and with at most a bounded number in flight (MqttPublisher), so
// libmosquitto's own queue stays bounded too. When the connection ends the
// session ends; the publisher starts a new one after a back-off and
// republishes from its own records (nothing is left in a dead session).
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

struct mosquitto;

namespace essd::gateway {

struct MqttSettings {
  std::string host;
  int port = 1883;
  bool tls = false;
  std::string ca_file;  // "" = the system's CA store
  std::string username;
  std::string password;  // read from password_file; never logged
  std::string client_id;
  int keepalive_s = 30;
  std::string will_topic;  // <base>/availability, payload "offline", retained, QoS 1
};

class MqttSession : public std::enable_shared_from_this<MqttSession> {
  // Only start() can name this, so only start() makes a session; the
  // constructor that takes it is public for make_shared.
  struct Started {
    explicit Started() = default;
  };

 public:
  struct Handlers {
    std::function<void()> on_connected;
    std::function<void(int mid)> on_published;             // PUBACK / PUBCOMP / QoS 0 written
    std::function<void(const std::string& why)> on_ended;  // once; the session is dead
  };

  static std::shared_ptr<MqttSession> start(boost::asio::io_context& io, const MqttSettings& s,
                                            Handlers handlers);
  MqttSession(Started, boost::asio::io_context& io, Handlers handlers);
  ~MqttSession();
  MqttSession(const MqttSession&) = delete;
  MqttSession& operator=(const MqttSession&) = delete;

  /// Returns the message id, or -1 when libmosquitto refused it.
  int publish(const std::string& topic, const std::string& payload, int qos, bool retain);
  /// Asks the session to end (clean DISCONNECT: the will is not sent). Never blocks.
  void stop();
  /// Drops the handlers: nothing more is posted to the io_context.
  void detach();

 private:
  void run(MqttSettings s);
  // The steps of run(), on the session's thread; each returns "" or why the
  // session ends.
  std::string configure(const MqttSettings& s);
  void set_callbacks();
  std::string connect(const MqttSettings& s);
  std::string loop();
  void post(std::function<void(Handlers&)> f);

  boost::asio::io_context& io_;
  std::shared_ptr<Handlers> handlers_;  // reset by detach(), on the io thread only
  mosquitto* mosq_ = nullptr;           // owned; created before the thread starts
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::string refused_;  // CONNACK refusal; loop thread only
  std::thread thread_;
};

}  // namespace essd::gateway
