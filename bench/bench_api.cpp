// SPDX-License-Identifier: MIT
// bench-libs: essd_asio
// API figures of a running essd (not a Google Benchmark: own main).
//   status  64 clients (--clients) each send --requests `status` requests one
//           after the other, all at once; p50/p99 of the round trip over all
//           of them; then one client asking while the other 63 stay idle
//   watch   the same clients with `watch` on; a privileged `maintenance`
//           toggle (run as root) changes the status; time until every
//           client has its status push, p50/p99 over --toggles
//   floor   the same status pattern against a bare Asio echo server on a
//           Unix socket in this process, replying a line of the same size
// Output: "key value" lines (scripts/bench parses them).
//   bench_api --socket PATH [--clients N] [--requests N] [--toggles N]
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

/// A blocking line client on a Unix stream socket.
class Client {
 public:
  explicit Client(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("cannot connect to " + path);
    }
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  int fd() const { return fd_; }
  void send(const std::string& line) {
    std::size_t done = 0;
    while (done < line.size()) {
      const auto n = ::write(fd_, line.data() + done, line.size() - done);
      if (n <= 0) throw std::runtime_error("write failed");
      done += static_cast<std::size_t>(n);
    }
  }
  /// One line (without '\n'), blocking.
  std::string line() {
    for (;;) {
      const auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      char tmp[8192];
      const auto n = ::read(fd_, tmp, sizeof tmp);
      if (n <= 0) throw std::runtime_error("connection closed");
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }
  bool has_line() const { return buf_.find('\n') != std::string::npos; }

 private:
  int fd_;
  std::string buf_;
};

/// Round trips of `requests` status requests from each of `clients` clients,
/// all clients in flight at once (one thread each).
std::vector<double> status_rtts(const std::string& path, int clients, int requests, bool hello) {
  std::vector<std::vector<double>> per(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Client cl(path);
      if (hello) (void)cl.line();
      for (int r = 0; r < requests; ++r) {
        const auto t0 = Clock::now();
        cl.send("{\"id\":" + std::to_string(r) + ",\"cmd\":\"status\"}\n");
        (void)cl.line();
        per[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (const auto& v : per) all.insert(all.end(), v.begin(), v.end());
  return all;
}

/// Bare Asio echo: one line in, one line of `reply_size` bytes out.
class EchoServer {
 public:
  EchoServer(const std::string& path, std::size_t reply_size)
      : acceptor_(io_, asio::local::stream_protocol::endpoint(path)), reply_(reply_size - 1, 'x') {
    reply_.push_back('\n');
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoServer() {
    io_.stop();
    thread_.join();
  }

 private:
  struct Conn : std::enable_shared_from_this<Conn> {
    explicit Conn(asio::local::stream_protocol::socket s, const std::string& r)
        : sock(std::move(s)), reply(r) {}
    void read() {
      asio::async_read_until(sock, asio::dynamic_buffer(in), '\n',
                             [self = shared_from_this()](auto ec, std::size_t n) {
                               if (ec) return;
                               self->in.erase(0, n);
                               asio::async_write(self->sock, asio::buffer(self->reply),
                                                 [self](auto ec2, std::size_t) {
                                                   if (!ec2) self->read();
                                                 });
                             });
    }
    asio::local::stream_protocol::socket sock;
    const std::string& reply;
    std::string in;
  };
  void accept() {
    acceptor_.async_accept([this](auto ec, asio::local::stream_protocol::socket s) {
      if (!ec) std::make_shared<Conn>(std::move(s), reply_)->read();
      accept();
    });
  }
  asio::io_context io_;
  asio::local::stream_protocol::acceptor acceptor_;
  std::string reply_;
  std::thread thread_;
};

void watch_fanout(const std::string& path, int clients, int toggles) {
  std::vector<std::unique_ptr<Client>> watchers;
  for (int c = 0; c < clients - 1; ++c) {
    watchers.push_back(std::make_unique<Client>(path));
    auto& w = *watchers.back();
    (void)w.line();  // hello
    w.send("{\"id\":1,\"cmd\":\"watch\",\"enable\":true}\n");
    (void)w.line();  // the reply
  }
  Client admin(path);
  (void)admin.line();
  std::vector<double> all_ms;
  for (int t = 0; t < toggles; ++t) {
    const bool on = t % 2 == 0;
    const std::string want = on ? "\"mode\":\"maintenance\"" : "\"mode\":\"normal\"";
    const auto t0 = Clock::now();
    admin.send(std::string("{\"id\":2,\"cmd\":\"maintenance\",\"on\":") + (on ? "true" : "false") +
               "}\n");
    std::vector<bool> got(watchers.size(), false);
    std::size_t remaining = watchers.size();
    const auto deadline = t0 + std::chrono::seconds(5);
    while (remaining > 0 && Clock::now() < deadline) {
      std::vector<pollfd> fds;
      for (auto& w : watchers) fds.push_back({w->fd(), POLLIN, 0});
      ::poll(fds.data(), fds.size(), 100);
      for (std::size_t i = 0; i < watchers.size(); ++i) {
        if (got[i] || !(fds[i].revents & POLLIN)) continue;
        do {
          const std::string l = watchers[i]->line();
          if (l.find("{\"status\"") == 0 && l.find(want) != std::string::npos) {
            got[i] = true;
            --remaining;
            break;
          }
        } while (watchers[i]->has_line());
      }
    }
    (void)admin.line();
    if (remaining > 0) {
      std::printf("watch_missing %zu\n", remaining);
      return;
    }
    all_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    // The daemon sends at most 10 status pushes per second: keep toggles apart.
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  std::printf("watch_clients %zu\nwatch_toggles %zu\n", watchers.size(), all_ms.size());
  std::printf("watch_all_ms_p50 %.2f\nwatch_all_ms_p99 %.2f\n", percentile(all_ms, 50),
              percentile(all_ms, 99));
}

}  // namespace

int main(int argc, char** argv) try {
  std::string socket;
  int clients = 64, requests = 200, toggles = 40;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--socket")
      socket = argv[i + 1];
    else if (a == "--clients")
      clients = std::stoi(argv[i + 1]);
    else if (a == "--requests")
      requests = std::stoi(argv[i + 1]);
    else if (a == "--toggles")
      toggles = std::stoi(argv[i + 1]);
    else
      throw std::invalid_argument("unknown option " + a);
  }
  if (socket.empty()) throw std::invalid_argument("usage: bench_api --socket PATH [...]");
  std::size_t reply_size = 0;
  {
    Client probe(socket);
    (void)probe.line();
    probe.send("{\"id\":0,\"cmd\":\"status\"}\n");
    reply_size = probe.line().size() + 1;
  }
  const auto rtt = status_rtts(socket, clients, requests, true);
  std::printf("status_clients %d\nstatus_requests %zu\nstatus_reply_bytes %zu\n", clients,
              rtt.size(), reply_size);
  std::printf("status_us_p50 %.0f\nstatus_us_p99 %.0f\n", percentile(rtt, 50), percentile(rtt, 99));
  {
    // The same requests from one client while the other clients stay
    // connected and idle: the latency a single tool sees on a full server.
    std::vector<std::unique_ptr<Client>> idle;
    for (int c = 0; c < clients - 1; ++c) idle.push_back(std::make_unique<Client>(socket));
    const auto one = status_rtts(socket, 1, requests * 5, true);
    std::printf("status_one_of_%d_us_p50 %.0f\nstatus_one_of_%d_us_p99 %.0f\n", clients,
                percentile(one, 50), clients, percentile(one, 99));
  }
  const std::string echo_path =
      (std::filesystem::temp_directory_path() / ("bench_api_echo." + std::to_string(::getpid())))
          .string();
  {
    EchoServer echo(echo_path, reply_size);
    const auto floor = status_rtts(echo_path, clients, requests, false);
    std::printf("floor_echo_us_p50 %.0f\nfloor_echo_us_p99 %.0f\n", percentile(floor, 50),
                percentile(floor, 99));
  }
  std::filesystem::remove(echo_path);
  if (toggles > 0) watch_fanout(socket, clients, toggles);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_api: %s\n", e.what());
  return 2;
}
