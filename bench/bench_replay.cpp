// SPDX-License-Identifier: MIT
// bench-libs: essd_codec essd_sim
// Replay timing accuracy (not a Google Benchmark: it has its own main).
// Runs the real `ess-sim --replay FILE --pty` at real time, opens its pty as
// an SLCAN host would (C, S6, O), timestamps every module frame as it
// arrives and compares its time since the first frame with the recorded
// one: the frame time error. Floor, in the same run: a bare loop sleeping
// to the same schedule (clock_nanosleep, absolute) and measuring how late it
// wakes, which is what the OS timer alone costs on this machine.
//   bench_replay --sim BIN --log FILE
// Prints "name value" lines (scripts/bench and bench/results.md).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/replay.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t pct(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void print(const char* name, const std::vector<std::int64_t>& v) {
  std::printf("%s_p50_us %lld\n%s_p99_us %lld\n%s_max_us %lld\n", name,
              static_cast<long long>(pct(v, 0.5)), name, static_cast<long long>(pct(v, 0.99)), name,
              static_cast<long long>(pct(v, 1.0)));
}

/// Starts ess-sim --replay; returns its pid and the pty path (first stdout line).
pid_t start_sim(const std::string& bin, const std::string& log, std::string& pty) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    ::execl(bin.c_str(), bin.c_str(), "--replay", log.c_str(), "--pty", nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') pty += c;
  ::close(out[0]);
  if (pty.empty()) throw std::runtime_error("ess-sim printed no pty");
  return pid;
}

std::vector<std::int64_t> measure_replay(const std::string& pty,
                                         const std::vector<std::int64_t>& due_us) {
  const int fd = ::open(pty.c_str(), O_RDWR | O_NOCTTY);
  if (fd < 0) throw std::runtime_error("open " + pty);
  termios t{};
  ::tcgetattr(fd, &t);
  ::cfmakeraw(&t);
  ::tcsetattr(fd, TCSANOW, &t);
  const std::string setup = "C\rS6\rO\r";
  if (::write(fd, setup.data(), setup.size()) != static_cast<ssize_t>(setup.size())) {
    throw std::runtime_error("write set-up");
  }
  std::vector<std::int64_t> err;
  err.reserve(due_us.size());
  std::string buf;
  Clock::time_point first{};
  std::size_t n = 0;
  const auto deadline =
      Clock::now() + std::chrono::microseconds(due_us.back()) + std::chrono::seconds(10);
  while (n < due_us.size() && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    char chunk[4096];
    const ssize_t r = ::read(fd, chunk, sizeof chunk);
    if (r <= 0) break;
    const auto now = Clock::now();
    buf.append(chunk, static_cast<std::size_t>(r));
    std::size_t pos;
    while ((pos = buf.find('\r')) != std::string::npos) {
      const std::string line = buf.substr(0, pos);
      buf.erase(0, pos + 1);
      if (line.empty() || line[0] != 't') continue;  // set-up replies
      if (n == 0) first = now;
      const auto got = std::chrono::duration_cast<std::chrono::microseconds>(now - first).count();
      err.push_back(std::llabs(got - due_us[n]));
      ++n;
    }
  }
  ::close(fd);
  std::printf("replay_frames_expected %zu\nreplay_frames_received %zu\n", due_us.size(), n);
  return err;
}

std::vector<std::int64_t> measure_floor(const std::vector<std::int64_t>& due_us) {
  std::vector<std::int64_t> err;
  err.reserve(due_us.size());
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  const auto t0 = Clock::now();
  for (auto d : due_us) {
    timespec at = start;
    at.tv_sec += d / 1000000;
    at.tv_nsec += (d % 1000000) * 1000;
    if (at.tv_nsec >= 1000000000) {
      at.tv_sec += 1;
      at.tv_nsec -= 1000000000;
    }
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr);
    const auto got =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    err.push_back(std::llabs(got - d));
  }
  return err;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string sim, log;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--sim")
      sim = argv[i + 1];
    else if (a == "--log")
      log = argv[i + 1];
  }
  if (sim.empty() || log.empty())
    throw std::invalid_argument("usage: bench_replay --sim BIN --log FILE");
  std::ifstream in(log);
  std::ostringstream text;
  text << in.rdbuf();
  const auto parsed = essd::sim::parse_replay_log(text.str(), log);
  std::vector<std::int64_t> due;
  for (const auto& it : parsed.items) {
    if (!it.heatsink) due.push_back(it.at_us);
  }
  const std::int64_t base = due.front();
  for (auto& d : due) d -= base;
  std::printf("replay_log %s\nreplay_log_s %.1f\n", log.c_str(),
              static_cast<double>(due.back()) / 1e6);
  std::string pty;
  const pid_t pid = start_sim(sim, log, pty);
  const auto err = measure_replay(pty, due);
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  print("replay_error", err);
  print("floor_sleep_error", measure_floor(due));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_replay: %s\n", e.what());
  return 2;
}
