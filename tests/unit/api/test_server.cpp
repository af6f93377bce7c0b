// SPDX-License-Identifier: MIT
// The Unix-socket server over a real socket in a temp dir: banner, order,
// line limit, client limit, slow clients, pushes, stale/live sockets, peers.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "api/api_client.hpp"
#include "api/server.hpp"
#include "fake_backend.hpp"

namespace essd::api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "essd-api-XXXXXX").string();
  char* d = ::mkdtemp(tmpl.data());
  EXPECT_NE(d, nullptr);
  return tmpl;
}

class ServerTest : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  test::FakeBackend backend;
  std::string dir = make_temp_dir();
  std::string path = dir + "/api.sock";
  std::unique_ptr<Server> server;
  std::thread thread;

  void start(ServerOptions o = {}) {
    o.socket_path = path;
    o.group = "";
    server = std::make_unique<Server>(io, backend, o);
    std::string err;
    std::vector<std::string> warnings;
    ASSERT_TRUE(server->start(err, warnings)) << err;
    thread = std::thread([this] { io.run(); });
  }
  // Runs f on the server's thread and waits for it.
  template <typename F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    boost::asio::post(io, [&task] { task(); });
    return fut.get();
  }
  // Polls a server-side condition until it holds or 5 s pass.
  template <typename F>
  bool eventually(F cond) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (on_io(cond)) return true;
      std::this_thread::yield();
    }
    return false;
  }
  void TearDown() override {
    if (thread.joinable()) {
      on_io([this] { server->stop(); });
      guard.reset();
      io.stop();
      thread.join();
    }
    server.reset();
    fs::remove_all(dir);
  }
  Client connect() {
    Client c;
    EXPECT_TRUE(c.connect(path, 5s)) << c.error().message;
    return c;
  }
};

TEST_F(ServerTest, HelloBannerIsExact) {
  start();
  Client c;
  ASSERT_TRUE(c.connect_raw(path));
  auto line = c.read_line(5s);
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, R"({"hello":{"service":"essd","api":1,"version":"0.1.0","model":"IJ1001C"}})");
}

TEST_F(ServerTest, SocketModeIs0660) {
  start();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(ServerTest, RepliesInRequestOrderEvenWhenEventsIsAsync) {
  backend.defer_events = true;
  start();
  auto c = connect();
  ASSERT_TRUE(c.send_raw("{\"id\":1,\"cmd\":\"events\"}\n{\"id\":2,\"cmd\":\"status\"}\n"));
  ASSERT_TRUE(eventually([this] { return backend.deferred.size() == 1; }));
  EXPECT_FALSE(c.read_line(100ms)) << "status must wait for the events reply";
  on_io([this] {
    backend.deferred[0]({}, 0, "");
    return 0;
  });
  auto first = c.read_line(5s);
  auto second = c.read_line(5s);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(json::parse(*first)["id"], 1);
  EXPECT_EQ(json::parse(*second)["id"], 2);
}

TEST_F(ServerTest, ManyPipelinedRequests) {
  start();
  auto c = connect();
  std::string batch;
  for (int i = 0; i < 500; ++i)
    batch += "{\"id\":" + std::to_string(i) + ",\"cmd\":\"counters\"}\n";
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 500; ++i) {
    auto line = c.read_line(5s);
    ASSERT_TRUE(line) << i;
    EXPECT_EQ(json::parse(*line)["id"], i);
  }
}

TEST_F(ServerTest, LineAtLimitAcceptedBeyondLimitClosed) {
  start();
  auto c = connect();
  std::string head = "{\"id\":1,\"cmd\":\"status\"";
  std::string line = head + std::string(kMaxLineBytes - head.size() - 1, ' ') + "}";
  ASSERT_EQ(line.size(), kMaxLineBytes);
  ASSERT_TRUE(c.send_raw(line + "\n"));
  auto reply = c.read_line(5s);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(json::parse(*reply)["ok"].get<bool>()) << "exactly 65536 bytes is allowed";

  ASSERT_TRUE(c.send_raw(std::string(kMaxLineBytes + 10, 'x')));
  auto err = c.read_line(5s);
  ASSERT_TRUE(err);
  auto j = json::parse(*err);
  EXPECT_EQ(j["error"]["code"], "bad_request");
  EXPECT_FALSE(c.read_line(5s));
  EXPECT_EQ(c.error().kind, Client::ErrorKind::closed);
}

TEST_F(ServerTest, ClientLimitRejectsWithUnavailable) {
  ServerOptions o;
  o.max_clients = 3;
  start(o);
  std::vector<Client> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connect());
  Client extra;
  ASSERT_TRUE(extra.connect_raw(path));
  auto line = extra.read_line(5s);
  ASSERT_TRUE(line);
  auto j = json::parse(*line);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"]["code"], "unavailable");
  EXPECT_FALSE(extra.read_line(5s)) << "closed after the one line";
  clients.pop_back();
  ASSERT_TRUE(eventually([this] { return server->counters().clients == 2; }));
  Client again;
  EXPECT_TRUE(again.connect(path, 5s)) << again.error().message;
  EXPECT_EQ(on_io([this] { return server->counters().rejected_full; }), 1u);
}

TEST_F(ServerTest, WatchGetsEventsAndCoalescedStatus) {
  start();
  auto c = connect();
  auto r = c.request(json{{"cmd", "watch"}, {"enable", true}}, 5s);
  ASSERT_TRUE(r && (*r)["ok"].get<bool>());
  auto first = c.next_message(5s);
  ASSERT_TRUE(first && first->contains("status")) << "current status on subscribe";

  on_io([this] {
    server->publish_event(EventRecord{7,
                                      "2026-11-25T18:00:00.000Z",
                                      Severity::error,
                                      "path_open",
                                      "discharge path opened",
                                      {{"path", "discharge"}}});
    backend.snap.voltage_v += 1.0;  // a real change, so a status is due
    for (int i = 0; i < 100; ++i) server->status_changed();
    return 0;
  });
  auto ev = c.next_message(5s);
  ASSERT_TRUE(ev && ev->contains("event"));
  EXPECT_EQ((*ev)["event"]["seq"], 7);
  EXPECT_EQ((*ev)["event"]["kind"], "path_open");
  // 100 changes in one burst: one push now and at most one when the 100 ms
  // window ends, never 100.
  int statuses = 0;
  auto deadline = std::chrono::steady_clock::now() + 400ms;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = c.next_message(50ms);
    if (m && m->contains("status")) ++statuses;
  }
  EXPECT_GE(statuses, 1);
  EXPECT_LE(statuses, 2);
}

TEST_F(ServerTest, UnchangedStatusIsNotPushedAgain) {
  start();
  auto c = connect();
  auto r = c.request(json{{"cmd", "watch"}, {"enable", true}}, 5s);
  ASSERT_TRUE(r && (*r)["ok"].get<bool>());
  auto first = c.next_message(5s);
  ASSERT_TRUE(first && first->contains("status"));
  // Revision bumps without any visible change (every module frame does
  // this): no push. Then one real change: exactly that status.
  for (int round = 0; round < 3; ++round) {
    on_io([this] {
      server->status_changed();
      return 0;
    });
    EXPECT_FALSE(c.next_message(150ms)) << "identical status pushed again";
  }
  on_io([this] {
    backend.snap.voltage_v += 2.0;
    server->status_changed();
    return 0;
  });
  auto changed = c.next_message(5s);
  ASSERT_TRUE(changed && changed->contains("status"));
  EXPECT_FALSE(c.next_message(250ms)) << "one change, one push";
}

TEST_F(ServerTest, NonWatchersGetNoPushes) {
  start();
  auto c = connect();
  on_io([this] {
    server->publish_event(EventRecord{1, "t", Severity::info, "start", "m", {}});
    server->status_changed();
    return 0;
  });
  auto r = c.request(json{{"cmd", "status"}}, 5s);
  ASSERT_TRUE(r);
  EXPECT_FALSE(c.next_message(100ms)) << "nothing queued besides the reply";
}

TEST_F(ServerTest, ClientThatNeverReadsIsDropped) {
  start();
  Client slow = connect();
  ASSERT_TRUE(slow.send_raw("{\"cmd\":\"watch\",\"enable\":true}\n"));
  ASSERT_TRUE(eventually([this] { return server->counters().status_pushes >= 1; }));
  std::string big(8000, 'x');
  // 2 MiB of pushes with nobody reading: the server must drop the client
  // (socket buffers take a few hundred KiB, the queue at most 1 MiB).
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < 16; ++i) {
      server->publish_event(EventRecord{1, "t", Severity::info, "k", big, {}});
    }
    return server->counters().dropped_slow == 1;
  }));
  EXPECT_EQ(on_io([this] { return server->counters().clients; }), 0u);
  // Others are unaffected.
  auto ok = connect();
  EXPECT_TRUE(ok.request(json{{"cmd", "status"}}, 5s));
}

TEST_F(ServerTest, StaleSocketIsReplaced) {
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::close(fd);  // the file stays, nobody listens: a crashed daemon's leftover
  }
  start();
  auto c = connect();
  EXPECT_TRUE(c.connected());
}

TEST_F(ServerTest, SecondServerOnSameSocketFails) {
  start();
  boost::asio::io_context io2;
  Server second(io2, backend, ServerOptions{path, "", "essd-admin", 64, -1, 1 << 20, 100ms});
  std::string err;
  std::vector<std::string> w;
  EXPECT_FALSE(second.start(err, w));
  EXPECT_NE(err.find("another essd is running"), std::string::npos) << err;
  auto c = connect();
  EXPECT_TRUE(c.connected()) << "the first server's socket was left alone";
}

TEST_F(ServerTest, LiveListenerWithoutLockIsNotReplaced) {
  // A daemon that does not take the lock (another build) still answers on
  // the socket: the connect probe must notice.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ListeningSocket ls;
  std::string err;
  EXPECT_FALSE(create_listening_socket(path, "", ls, err));
  EXPECT_NE(err.find("answers"), std::string::npos) << err;
  ::close(fd);
}

TEST_F(ServerTest, RegularFileIsNotReplaced) {
  { std::ofstream(path) << "precious"; }
  ListeningSocket ls;
  std::string err;
  EXPECT_FALSE(create_listening_socket(path, "", ls, err));
  EXPECT_NE(err.find("not a socket"), std::string::npos) << err;
}

TEST_F(ServerTest, UnwritableDirectoryGivesClearError) {
  ListeningSocket ls;
  std::string err;
  EXPECT_FALSE(create_listening_socket(dir + "/missing/api.sock", "", ls, err));
  EXPECT_NE(err.find("writable"), std::string::npos) << err;
}

// Peer credentials from a child that drops to uid/gid 65534 (no threads are
// running in this test, so fork is safe).
TEST(PeerCredentials, UnprivilegedUidAndAdminGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch uid";
  std::string dir = make_temp_dir();
  ::chmod(dir.c_str(), 0755);
  std::string path = dir + "/p.sock";
  ListeningSocket ls;
  std::string err;
  ASSERT_TRUE(create_listening_socket(path, "", ls, err)) << err;
  ::chmod(path.c_str(), 0666);
  for (int round = 0; round < 2; ++round) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strcpy(a.sun_path, path.c_str());
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ::_exit(11);
      char b;
      (void)!::read(fd, &b, 1);  // wait until the parent has looked
      ::_exit(0);
    }
    // The listening fd is non-blocking: wait for the child with poll.
    pollfd p{ls.fd.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
    UniqueFd conn(::accept(ls.fd.get(), nullptr, nullptr));
    ASSERT_TRUE(conn);
    Peer peer = round == 0 ? peer_credentials(conn.get(), true, 4242)
                           : peer_credentials(conn.get(), true, 65534);
    EXPECT_EQ(peer.uid, 65534u);
    EXPECT_EQ(peer.pid, child);
    EXPECT_EQ(peer.privileged, round == 1) << "round " << round;
    conn = UniqueFd();
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace essd::api
