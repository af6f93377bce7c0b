// SPDX-License-Identifier: MIT
#include "gateway/mqtt_session.hpp"

#include <mosquitto.h>

#include <boost/asio/post.hpp>
#include <cstring>
#include <mutex>

namespace essd::gateway {

namespace {
std::once_flag lib_once;

const char* connack_text(int rc) {
  switch (rc) {
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client id rejected";
    case 3:
      return "broker unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorised";
    default:
      return "refused";
  }
}
}  // namespace

MqttSession::MqttSession(Started, boost::asio::io_context& io, Handlers handlers)
    : io_(io), handlers_(std::make_shared<Handlers>(std::move(handlers))) {}

std::shared_ptr<MqttSession> MqttSession::start(boost::asio::io_context& io, const MqttSettings& s,
                                                Handlers handlers) {
  std::call_once(lib_once, [] { mosquitto_lib_init(); });
  auto self = std::make_shared<MqttSession>(Started{}, io, std::move(handlers));
  self->mosq_ = mosquitto_new(s.client_id.c_str(), true, self.get());
  if (!self->mosq_) {
    self->post([](Handlers& h) {
      if (h.on_ended) h.on_ended("mosquitto_new failed");
    });
    return self;
  }
  mosquitto_threaded_set(self->mosq_, true);
  // The thread holds a reference: the object outlives its loop whatever the
  // io side does (a broker that blackholes the TCP connect can keep the
  // thread in connect() for minutes; nobody waits for it).
  self->thread_ = std::thread([keep = self, s] { keep->run(s); });
  self->thread_.detach();
  return self;
}

MqttSession::~MqttSession() {
  if (mosq_) mosquitto_destroy(mosq_);
}

void MqttSession::post(std::function<void(Handlers&)> f) {
  std::weak_ptr<Handlers> weak = handlers_;
  boost::asio::post(io_, [weak, f = std::move(f)] {
    if (auto h = weak.lock()) f(*h);
  });
}

void MqttSession::detach() {
  handlers_.reset();
}

void MqttSession::stop() {
  stop_ = true;
  if (mosq_) mosquitto_disconnect(mosq_);
}

int MqttSession::publish(const std::string& topic, const std::string& payload, int qos,
                         bool retain) {
  if (!mosq_ || !connected_ || stop_) return -1;
  int mid = 0;
  int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), qos, retain);
  return rc == MOSQ_ERR_SUCCESS ? mid : -1;
}

void MqttSession::run(MqttSettings s) {
  std::string why = configure(s);
  set_callbacks();
  if (why.empty()) why = connect(s);
  s.password.assign(s.password.size(), '\0');
  if (why.empty()) why = loop();
  connected_ = false;
  if (!refused_.empty()) why = refused_;
  if (why.empty()) why = "disconnected";
  post([why](Handlers& h) {
    if (h.on_ended) h.on_ended(why);
  });
}

std::string MqttSession::configure(const MqttSettings& s) {
  mosquitto* m = mosq_;
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_will_set(m, s.will_topic.c_str(), 7, "offline", 1, true);
  if (!s.username.empty()) {
    mosquitto_username_pw_set(m, s.username.c_str(),
                              s.password.empty() ? nullptr : s.password.c_str());
  }
  if (!s.tls) return {};
  int rc = MOSQ_ERR_SUCCESS;
  if (s.ca_file.empty()) {
    rc = mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
  } else {
    rc = mosquitto_tls_set(m, s.ca_file.c_str(), nullptr, nullptr, nullptr, nullptr);
  }
  // Verify the broker's certificate and its host name (never insecure).
  if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_tls_opts_set(m, 1, nullptr, nullptr);
  if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_tls_insecure_set(m, false);
  if (rc != MOSQ_ERR_SUCCESS) return std::string("TLS setup: ") + mosquitto_strerror(rc);
  return {};
}

void MqttSession::set_callbacks() {
  mosquitto_connect_callback_set(mosq_, [](mosquitto*, void* self, int rc) {
    auto* me = static_cast<MqttSession*>(self);
    if (rc != 0) {
      std::string text = std::string("broker refused the connection: ") + connack_text(rc);
      me->refused_ = text;  // read by run() on this same thread
      me->stop_ = true;
      return;
    }
    me->connected_ = true;
    me->post([](Handlers& h) {
      if (h.on_connected) h.on_connected();
    });
  });
  mosquitto_publish_callback_set(mosq_, [](mosquitto*, void* self, int mid) {
    static_cast<MqttSession*>(self)->post([mid](Handlers& h) {
      if (h.on_published) h.on_published(mid);
    });
  });
}

std::string MqttSession::connect(const MqttSettings& s) {
  int rc = mosquitto_connect(mosq_, s.host.c_str(), s.port, s.keepalive_s);
  if (rc == MOSQ_ERR_SUCCESS) return {};
  return rc == MOSQ_ERR_ERRNO ? std::string("connect: ") + std::strerror(errno)
                              : std::string("connect: ") + mosquitto_strerror(rc);
}

std::string MqttSession::loop() {
  std::string why;
  while (!stop_) {
    int rc = mosquitto_loop(mosq_, 500, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      if (!stop_)
        why = rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : mosquitto_strerror(rc);
      break;
    }
  }
  if (stop_) {
    // Let the DISCONNECT (and anything queued before it) go out.
    for (int i = 0; i < 4 && mosquitto_loop(mosq_, 100, 1) == MOSQ_ERR_SUCCESS; ++i) {
    }
  }
  return why;
}

}  // namespace essd::gateway
