#include "api/server.hpp"

#include <unistd.h>

#include "essd/version.hpp"

namespace essd::api {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

Server::Server(asio::io_context& io, Backend& backend, ServerOptions options)
    : backend_(backend),
      options_(std::move(options)),
      dispatcher_(backend),
      acceptor_(io),
      status_timer_(io),
      accept_retry_(io) {
  hello_ = Dispatcher::to_line(Json{{"hello",
                                     {{"service", "essd"},
                                      {"api", kApiVersion},
                                      {"version", std::string(kVersion)},
                                      {"model", backend_.model_name()}}}});
}

Server::~Server() {
  stop();
  *alive_ = false;
}

bool Server::start(std::string& error, std::vector<std::string>& warnings) {
  admin_gid_valid_ = lookup_group(options_.admin_group, admin_gid_);
  boost::system::error_code ec;
  if (options_.inherited_fd >= 0) {
    acceptor_.assign(stream(), options_.inherited_fd, ec);
    if (ec) {
      error = "cannot use the socket passed by systemd: " + ec.message();
      return false;
    }
  } else {
    if (!create_listening_socket(options_.socket_path, options_.group, listening_, error)) {
      return false;
    }
    acceptor_.assign(stream(), listening_.fd.get(), ec);
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
  return true;
}

void Server::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  status_timer_.cancel();
  accept_retry_.cancel();
  auto all = std::move(sessions_);
  sessions_.clear();
  for (auto& [p, s] : all) s->stop();
  if (!listening_.path.empty()) {
    ::unlink(listening_.path.c_str());
    listening_.path.clear();
  }
  listening_.lock = UniqueFd();  // release the instance lock last
}

void Server::accept() {
  std::weak_ptr<bool> alive = alive_;
  acceptor_.async_accept([this, alive](const boost::system::error_code& ec, stream::socket s) {
    if (alive.expired() || !*alive.lock()) return;
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      on_accept(std::move(s));
      accept();
      return;
    }
    // EMFILE and friends: retry later instead of spinning on the error.
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this, alive](const boost::system::error_code& ec2) {
      if (alive.expired() || !*alive.lock() || ec2) return;
      if (acceptor_.is_open()) accept();
    });
  });
}

void Server::on_accept(stream::socket socket) {
  ++counters_.accepted;
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  Peer peer = peer_credentials(socket.native_handle(), admin_gid_valid_, admin_gid_);
  std::weak_ptr<bool> alive = alive_;
  auto session = std::make_shared<Session>(
      std::move(socket), dispatcher_, peer, options_.max_queued_bytes,
      [this, alive](Session* s, Session::End why) {
        if (alive.expired() || !*alive.lock()) return;
        on_closed(s, why);
      },
      [this, alive](Session* s) {
        if (alive.expired() || !*alive.lock()) return;
        on_watch(s);
      });
  if (static_cast<int>(sessions_.size()) >= options_.max_clients) {
    ++counters_.rejected_full;
    // Not registered: the pending write keeps it alive until it is sent.
    session->reject(Dispatcher::error_line(
        nullptr, "unavailable",
        "too many clients (" + std::to_string(options_.max_clients) + "); try again later"));
    return;
  }
  sessions_.emplace(session.get(), session);
  counters_.clients = sessions_.size();
  session->start(hello_);
}

void Server::on_closed(Session* s, Session::End why) {
  if (why == Session::End::slow) ++counters_.dropped_slow;
  if (why == Session::End::too_long) ++counters_.dropped_long_line;
  sessions_.erase(s);
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
  std::weak_ptr<bool> alive = alive_;
  status_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (alive.expired() || !*alive.lock()) return;
    timer_armed_ = false;
    if (ec == asio::error::operation_aborted) return;
    if (status_pending_) push_status_now();
  });
}

void Server::on_watch(Session* s) {
  // A new watcher gets the current status at once, as gpsd's ?WATCH does.
  s->push(Dispatcher::to_line(Json{
      {"status", status_json(backend_.snapshot(), backend_.time_ref(), backend_.uptime_s())}}));
  ++counters_.status_pushes;
}

void Server::push_status_now() {
  status_pending_ = false;
  last_status_push_ = std::chrono::steady_clock::now();
  auto list = watchers();
  if (list.empty()) return;
  Json status = status_json(backend_.snapshot(), backend_.time_ref(), backend_.uptime_s());
  // api.md: a status is pushed only when it changed. The snapshot revision
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

void Server::update_options(const std::string& admin_group, int max_clients) {
  options_.admin_group = admin_group;
  options_.max_clients = max_clients;
  admin_gid_valid_ = lookup_group(admin_group, admin_gid_);
}

Server::Counters Server::counters() const {
  return counters_;
}

}  // namespace essd::api
