// SPDX-License-Identifier: MIT
#include "api/server.hpp"

#include <unistd.h>

#include <algorithm>

#include "essd/teardown.hpp"
#include "essd/version.hpp"

namespace essd::api {

namespace asio = boost::asio;
using LocalStream = asio::local::stream_protocol;

Server::Server(asio::io_context& io, Backend& backend, ServerOptions options)
    : backend_(backend),
      options_(std::move(options)),
      dispatcher_(backend),
      acceptor_(io),
      status_timer_(io),
      accept_retry_(io),
      idle_timer_(io) {
  hello_ = Dispatcher::to_line(Json{{"hello",
                                     {{"service", "essd"},
                                      {"api", kApiVersion},
                                      {"version", std::string(kVersion)},
                                      {"model", backend_.model_name()}}}});
}

Server::~Server() {
  essd::teardown_in_destructor("api::Server", [this] { stop(); });
  lifetime_.end();
}

bool Server::start(std::string& error, std::vector<std::string>& warnings) {
  admin_gid_valid_ = lookup_group(options_.admin_group, admin_gid_);
  boost::system::error_code ec;
  if (options_.inherited_fd >= 0) {
    acceptor_.assign(LocalStream(), options_.inherited_fd, ec);
    if (ec) {
      error = "cannot use the socket passed by systemd: " + ec.message();
      return false;
    }
  } else {
    if (!options_.instance_locked && !acquire_instance_lock(options_.socket_path, lock_, error))
      return false;
    if (!create_listening_socket(options_.socket_path, options_.group, listening_, error)) {
      return false;
    }
    acceptor_.assign(LocalStream(), listening_.fd.get(), ec);
    if (ec) {
      error = "cannot listen on " + options_.socket_path + ": " + ec.message();
      return false;
    }
    listening_.fd.release();  // the acceptor owns it now
  }
  acceptor_.non_blocking(true, ec);
  for (auto& w : listening_.warnings) warnings.push_back(w);
  listening_.warnings.clear();
  accept();
  arm_idle_sweep();
  return true;
}

void Server::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  status_timer_.cancel();
  accept_retry_.cancel();
  idle_timer_.cancel();
  auto all = std::move(sessions_);
  sessions_.clear();
  for (auto& [p, s] : all) s->stop();
  if (!listening_.path.empty()) {
    ::unlink(listening_.path.c_str());
    listening_.path.clear();
  }
  per_uid_.clear();
  lock_ = UniqueFd();  // release the instance lock last
}

void Server::accept() {
  acceptor_.async_accept(
      lifetime_.guard([this](const boost::system::error_code& ec, LocalStream::socket s) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
          on_accept(std::move(s));
          accept();
          return;
        }
        // EMFILE and friends: retry later instead of spinning on the error.
        accept_retry_.expires_after(std::chrono::milliseconds(100));
        accept_retry_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec2) {
          if (ec2) return;
          if (acceptor_.is_open()) accept();
        }));
      }));
}

void Server::on_accept(LocalStream::socket socket) {
  ++counters_.accepted;
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  Peer peer = peer_credentials(socket.native_handle(), admin_gid_valid_, admin_gid_);
  auto session = std::make_shared<Session>(
      std::move(socket), dispatcher_, peer, options_.max_queued_bytes,
      lifetime_.guard([this](Session* s, Session::End why) { on_closed(s, why); }),
      lifetime_.guard([this](Session* s) { on_watch(s); }));
  if (auto why = admission(peer); !why.empty()) {
    // Not registered: the pending write keeps it alive until it is sent.
    session->reject(Dispatcher::error_line(nullptr, "unavailable", why));
    return;
  }
  sessions_.emplace(session.get(), session);
  if (!peer.privileged) ++per_uid_[peer.uid];
  counters_.clients = sessions_.size();
  session->start(hello_);
}

std::string Server::admission(const Peer& peer) {
  const int total = static_cast<int>(sessions_.size());
  auto full = [&](int limit) {
    ++counters_.rejected_full;
    return "too many clients (" + std::to_string(limit) + "); try again later";
  };
  if (total >= options_.max_clients) return full(options_.max_clients);
  if (peer.privileged) return {};
  // docs/api.md "Limits": no one user can lock the operators out.
  const int reserved = std::min(options_.reserved_slots, options_.max_clients / 2);
  if (total >= options_.max_clients - reserved) return full(options_.max_clients - reserved);
  auto it = per_uid_.find(peer.uid);
  if (it != per_uid_.end() && it->second >= options_.max_clients_per_uid) {
    ++counters_.rejected_per_uid;
    return "too many clients for uid " + std::to_string(peer.uid) + " (" +
           std::to_string(options_.max_clients_per_uid) + "); try again later";
  }
  return {};
}

void Server::arm_idle_sweep() {
  if (options_.idle_timeout.count() <= 0 || !acceptor_.is_open()) return;
  // A quarter of the timeout (at least 50 ms, at most 5 s): an idle session
  // goes within 1.25 times the timeout.
  auto period = std::clamp<std::chrono::milliseconds>(
      options_.idle_timeout / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(5000));
  idle_timer_.expires_after(period);
  idle_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec) return;
    sweep_idle();
    arm_idle_sweep();
  }));
}

void Server::sweep_idle() {
  if (options_.idle_timeout.count() <= 0) return;
  const auto cutoff = std::chrono::steady_clock::now() - options_.idle_timeout;
  std::vector<std::shared_ptr<Session>> idle;
  for (const auto& [p, s] : sessions_) {
    if (s->idle_since(cutoff)) idle.push_back(s);
  }
  for (auto& s : idle) s->close_idle();
}

void Server::on_closed(Session* s, Session::End why) {
  if (why == Session::End::slow) ++counters_.dropped_slow;
  if (why == Session::End::too_long) ++counters_.dropped_long_line;
  if (why == Session::End::idle) ++counters_.dropped_idle;
  if (sessions_.erase(s) && !s->peer().privileged) {
    auto it = per_uid_.find(s->peer().uid);
    if (it != per_uid_.end() && --it->second <= 0) per_uid_.erase(it);
  }
  counters_.clients = sessions_.size();
}

std::vector<std::shared_ptr<Session>> Server::watchers() const {
  // A copy: pushing may drop a slow client, which erases it from sessions_.
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& [p, s] : sessions_) {
    if (s->watching()) out.push_back(s);
  }
  return out;
}

void Server::publish_event(const EventRecord& record) {
  auto list = watchers();
  if (list.empty()) return;
  std::string line = Dispatcher::to_line(Json{{"event", event_json(record)}});
  for (auto& s : list) s->push(line);
  counters_.event_pushes += list.size();
}

void Server::status_changed() {
  status_pending_ = true;
  if (timer_armed_) return;
  auto now = std::chrono::steady_clock::now();
  auto due = last_status_push_ + options_.status_min_interval;
  if (now >= due) {
    push_status_now();
    return;
  }
  timer_armed_ = true;
  status_timer_.expires_at(due);
  status_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    timer_armed_ = false;
    if (ec == asio::error::operation_aborted) return;
    if (status_pending_) push_status_now();
  }));
}

void Server::on_watch(Session* s) {
  // A new watcher gets the current status at once, as gpsd's ?WATCH does.
  Json status = status_json(backend_.snapshot(), backend_.time_ref(), backend_.uptime_s());
  // With no other watcher this is now the last pushed status; with others,
  // leave their key alone so that they still get a change they have not seen.
  bool others = false;
  for (auto& w : watchers()) others = others || w.get() != s;
  if (!others) {
    Json compared = status;
    compared.erase("uptime_s");
    last_pushed_status_ = compared.dump();
  }
  s->push(Dispatcher::to_line(Json{{"status", std::move(status)}}));
  ++counters_.status_pushes;
}

void Server::push_status_now() {
  status_pending_ = false;
  last_status_push_ = std::chrono::steady_clock::now();
  auto list = watchers();
  if (list.empty()) return;
  Json status = status_json(backend_.snapshot(), backend_.time_ref(), backend_.uptime_s());
  // docs/api.md "Commands": a status is pushed only when it changed. The snapshot revision
  // moves with every module frame, and uptime_s alone is no change.
  Json compared = status;
  compared.erase("uptime_s");
  std::string key = compared.dump();
  if (key == last_pushed_status_) return;
  last_pushed_status_ = std::move(key);
  std::string line = Dispatcher::to_line(Json{{"status", std::move(status)}});
  for (auto& s : list) s->push(line);
  counters_.status_pushes += list.size();
}

void Server::update_options(const std::string& admin_group, int max_clients,
                            int max_clients_per_uid, std::chrono::milliseconds idle_timeout) {
  options_.admin_group = admin_group;
  options_.max_clients = max_clients;
  options_.max_clients_per_uid = max_clients_per_uid;
  const bool rearm = options_.idle_timeout.count() <= 0 && idle_timeout.count() > 0;
  options_.idle_timeout = idle_timeout;
  if (rearm) arm_idle_sweep();
  admin_gid_valid_ = lookup_group(admin_group, admin_gid_);
}

Server::Counters Server::counters() const {
  return counters_;
}

}  // namespace essd::api
