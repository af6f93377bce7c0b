// SPDX-License-Identifier: MIT
#include "gateway/gw_rig.hpp"

#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <thread>

namespace essd::gtest {

using Clock = std::chrono::steady_clock;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

static int connect_tcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool wait_listening(int port, Ms timeout) {
  return itest::poll_until(
      [&] {
        const int fd = connect_tcp(port);
        if (fd >= 0) ::close(fd);
        return fd >= 0;
      },
      timeout, Ms(20));
}

Tls make_tls(const TempDir& dir) {
  Tls t;
  t.ca = dir / "ca.pem";
  t.cert = dir / "server.pem";
  t.key = dir / "server.key";
  t.user = "gateway";
  t.password = "s3cret-Pass.word";
  const std::string ext = dir / "san.ext";
  itest::write_file(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  auto sh = [](const std::string& cmd) { return std::system(cmd.c_str()); };
  EXPECT_EQ(0,
            sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=essd-test-ca -keyout " +
               (dir / "ca.key") + " -out " + t.ca + " 2>/dev/null"));
  EXPECT_EQ(0, sh("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + t.key +
                  " -out " + (dir / "server.csr") + " 2>/dev/null"));
  EXPECT_EQ(0, sh("openssl x509 -req -in " + (dir / "server.csr") + " -CA " + t.ca + " -CAkey " +
                  (dir / "ca.key") + " -CAcreateserial -days 2 -extfile " + ext + " -out " +
                  t.cert + " 2>/dev/null"));
  return t;
}

Broker::Broker(const TempDir& dir, std::optional<Tls> tls) : dir_(dir), tls_(std::move(tls)) {}

Broker::~Broker() {
  child_.signal(SIGKILL);
}

void Broker::start() {
  for (int attempt = 0; attempt < 5; ++attempt) {
    const bool fresh = port_ == 0;
    if (fresh) port_ = free_port();
    std::string conf = "listener " + std::to_string(port_) + " 127.0.0.1\n";
    conf += "persistence true\npersistence_location " + dir_.path() + "/\n";
    // As root, mosquitto drops to the user "mosquitto", who can read neither
    // the test's private key nor write its persistence in the temp dir.
    if (::geteuid() == 0) conf += "user root\n";
    if (tls_) {
      const std::string pw = dir_ / "passwd";
      itest::write_file(pw, "");
      std::system(
          ("mosquitto_passwd -b " + pw + " " + tls_->user + " '" + tls_->password + "' 2>/dev/null")
              .c_str());
      conf += "cafile " + tls_->ca + "\ncertfile " + tls_->cert + "\nkeyfile " + tls_->key + "\n";
      conf += "password_file " + pw + "\nallow_anonymous false\n";
    } else {
      conf += "allow_anonymous true\n";
    }
    itest::write_file(dir_ / "mosquitto.conf", conf);
    itest::SpawnOptions o;
    o.output_file = dir_ / "mosquitto.log";
    child_ = Child({itest::system_program("mosquitto"), "-c", dir_ / "mosquitto.conf"}, o);
    if (wait_listening(port_, Ms(5000)) && child_.running()) return;
    child_.signal(SIGKILL);
    child_.wait(Ms(2000));
    if (fresh) port_ = 0;  // taken meanwhile: another port
  }
  ADD_FAILURE() << "mosquitto did not start; log:\n" << itest::read_file(dir_ / "mosquitto.log");
}

void Broker::stop() {
  child_.signal(SIGTERM);
  child_.wait(Ms(5000));
}

Subscriber::Subscriber(int port, const std::string& filter, std::optional<Tls> tls,
                       std::string session)
    : filter_(filter) {
  mosquitto_lib_init();
  mosq_ = mosquitto_new(session.empty() ? nullptr : session.c_str(), session.empty(), this);
  if (tls) {
    mosquitto_tls_set(mosq_, tls->ca.c_str(), nullptr, nullptr, nullptr, nullptr);
    mosquitto_username_pw_set(mosq_, tls->user.c_str(), tls->password.c_str());
  }
  mosquitto_message_callback_set(mosq_, &Subscriber::on_message);
  mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
    if (rc == 0)
      mosquitto_subscribe(m, nullptr, static_cast<Subscriber*>(self)->filter_.c_str(), 1);
  });
  mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
  EXPECT_EQ(MOSQ_ERR_SUCCESS, mosquitto_connect(mosq_, tls ? "localhost" : "127.0.0.1", port, 10));
  mosquitto_loop_start(mosq_);
}

Subscriber::~Subscriber() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
}

void Subscriber::on_message(mosquitto*, void* self, const mosquitto_message* m) {
  auto* s = static_cast<Subscriber*>(self);
  Message msg{
      m->topic,
      std::string(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen)),
      m->retain};
  std::lock_guard lock(s->mu_);
  s->msgs_.push_back(std::move(msg));
  s->cv_.notify_all();
}

std::optional<Message> Subscriber::wait_for(const std::function<bool(const Message&)>& pred,
                                            Ms timeout, std::size_t from) {
  std::unique_lock lock(mu_);
  std::optional<Message> found;
  cv_.wait_for(lock, timeout, [&] {
    for (std::size_t i = from; i < msgs_.size(); ++i) {
      if (pred(msgs_[i])) {
        found = msgs_[i];
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<Message> Subscriber::messages() {
  std::lock_guard lock(mu_);
  return msgs_;
}

std::size_t Subscriber::count() {
  std::lock_guard lock(mu_);
  return msgs_.size();
}

std::optional<Message> Subscriber::latest(const std::string& topic) {
  std::lock_guard lock(mu_);
  for (auto it = msgs_.rbegin(); it != msgs_.rend(); ++it) {
    if (it->topic == topic) return *it;
  }
  return std::nullopt;
}

Gateway::Gateway(const TempDir& dir, GatewayOptions o, const std::string& name)
    : dir_(dir), o_(std::move(o)), name_(name) {}

Gateway::~Gateway() {
  child_.signal(SIGKILL);
}

void Gateway::start() {
  std::string t = "[gateway]\nid = \"" + o_.id + "\"\nsite = \"Test site\"\n[essd]\nsocket = \"" +
                  o_.socket + "\"\n";
  if (o_.mqtt_port) {
    t += "[mqtt]\nenabled = true\nhost = \"" + std::string(o_.tls ? "localhost" : "127.0.0.1") +
         "\"\nport = " + std::to_string(*o_.mqtt_port) + "\n";
    if (o_.tls) {
      itest::write_file(dir_ / (name_ + ".password"), o_.tls->password + "\n");
      t += "tls = true\nca_file = \"" + o_.tls->ca + "\"\nusername = \"" + o_.tls->user +
           "\"\npassword_file = \"" + (dir_ / (name_ + ".password")) + "\"\n";
    }
    t += o_.extra_mqtt;
  }
  t += "[http]\nlisten = \"127.0.0.1:0\"\n" + o_.extra_http;
  itest::write_file(config_path(), t);
  itest::SpawnOptions so;
  so.pipe_stdout = true;
  so.output_file = dir_ / (name_ + ".log");
  child_ = Child({itest::bin("ess-gateway"), "--config", config_path()}, so);
  auto line = child_.read_line(Ms(10000));
  ASSERT_TRUE(line) << "ess-gateway printed no port; log:\n" << log();
  http_port_ = std::stoi(line->substr(line->rfind(':') + 1));
}

std::string Gateway::log() const {
  return itest::read_file(dir_ / (name_ + ".log"));
}

HttpReply http_request(int port, const std::string& method, const std::string& target,
                       const std::vector<std::string>& headers, const std::string& body,
                       const std::string& raw) {
  HttpReply r;
  int fd = connect_tcp(port);
  if (fd < 0) return r;
  std::string req = raw;
  if (req.empty()) {
    req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& h : headers) req += h + "\r\n";
    if (!body.empty() || method == "POST")
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
  }
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string all;
  const auto deadline = Clock::now() + Ms(10000);
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    char buf[8192];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto sep = all.find("\r\n\r\n");
  r.head = all.substr(0, sep);
  if (sep != std::string::npos) r.body = all.substr(sep + 4);
  if (all.size() > 12) r.status = std::atoi(all.c_str() + 9);
  return r;
}

}  // namespace essd::gtest
