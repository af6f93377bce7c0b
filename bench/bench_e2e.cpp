// SPDX-License-Identifier: MIT
// bench-libs: essd_codec
// End-to-end figures of a real essd process through its real module bus
// (not a Google Benchmark: it has its own main). It plays module 0 on vcan
// (--can IFACE, in the VM) or as an SLCAN adapter on a pty (--pty, on the
// host), and measures:
//   latency   a STATUS with CHG=0 in -> the CTRL with the charge path open out
//             (and CHG=1 -> closed), p50/p99 over --trials; its floor,
//             wakeup_floor: how late this program, at its own policy and
//             under the same load, wakes from a 200 us timer over as long
//             as the trials took (what the machine itself allows: a
//             hypervisor taking the CPU away shows here as well)
//   startup   fork/exec of essd -> its first CTRL frame, --startups times
//   load      --rate frames/s for --load-s s, half of them invalid: essd's
//             CPU, rx queue overflows (SocketCAN), loop lag p99; the floor
//             reads the same traffic raw to /dev/null: candump on the same
//             vcan, or cat on a second pty that gets every frame too
// Output: one "key value" line per figure (scripts/bench parses them).
//   gpio      (--gpio-chip CHIP --gpio-value FILE) the same trials, timed
//             to the charge path GPIO line (CHIP:0) reading low in gpio-sim
//   bench_e2e --essd BIN --essctl BIN (--can IFACE | --pty) [--trials N]
//             [--startups N] [--load-s S] [--rate R] [--gpio-chip C --gpio-value F]
//             [--cpu-load N] [--rt PRIO] [--bench-rt PRIO]
//   --cpu-load N   N busy processes (SCHED_OTHER) run while it measures
//   --rt PRIO      essd is started at SCHED_FIFO PRIO (as the unit's
//                  CPUSchedulingPolicy=fifo would); default SCHED_OTHER
//   --bench-rt P   this program (the instrument: module 0) at SCHED_FIFO P,
//                  so that the figures are essd's and not its own wake-ups
//             [--beside CMD]   (CMD runs during the latency trials, ESSD_SOCKET set)
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "bench/e2e_link.hpp"
#include "bench/e2e_module.hpp"
#include "essd/module_bus.hpp"

namespace {

using namespace essd;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double us_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct Options {
  std::string essd, essctl, can_iface;
  std::string gpio_chip, gpio_value;  // charge path on CHIP:0; its gpio-sim sysfs value file
  bool pty = false;
  int trials = 1000, startups = 5;
  int load_s = 0, rate = 8000;
  int cpu_load = 0, rt = 0, bench_rt = 0;
  bool record_load = false;  // repeat the load with `essctl record on`
  std::string beside;        // shell command run next to essd during the latency trials
};

// Sets the calling process to SCHED_FIFO prio, or SCHED_OTHER for 0.
bool set_fifo(int prio) {
  sched_param p{};
  p.sched_priority = prio;
  return ::sched_setscheduler(0, prio > 0 ? SCHED_FIFO : SCHED_OTHER, &p) == 0;
}

/// N processes that spin at SCHED_OTHER until destroyed: the other work of a
/// busy board.
class CpuLoad {
 public:
  explicit CpuLoad(int n) {
    for (int i = 0; i < n; ++i) {
      const pid_t p = ::fork();
      if (p < 0) throw std::runtime_error("fork failed");
      if (p == 0) {
        set_fifo(0);
        volatile unsigned long spins = 0;
        for (;;) spins = spins + 1;
      }
      pids_.push_back(p);
    }
  }
  ~CpuLoad() {
    for (pid_t p : pids_) ::kill(p, SIGKILL);
    for (pid_t p : pids_) ::waitpid(p, nullptr, 0);
  }
  CpuLoad(const CpuLoad&) = delete;
  CpuLoad& operator=(const CpuLoad&) = delete;

 private:
  std::vector<pid_t> pids_;
};

using bench::Module;

/// Waits for a CTRL frame satisfying `pred`, serving the module meanwhile.
std::optional<bus::Ctrl> wait_ctrl(bench::Link& link, Module* module,
                                   const std::function<bool(const bus::Ctrl&)>& pred,
                                   std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto until = deadline;
    if (module) until = std::min(until, module->service());
    for (const auto& f : link.receive(until)) {
      if (f.id != bus::kCtrlId) continue;
      const auto r = bus::decode(f);
      if (!r.ok()) continue;
      const auto& c = std::get<bus::Ctrl>(*r.message);
      if (pred(c)) return c;
    }
  }
  return std::nullopt;
}

class Essd {
 public:
  Essd(const Options& o, const std::string& config) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      if (!set_fifo(o.rt)) ::_exit(126);
      ::execl(o.essd.c_str(), o.essd.c_str(), "--config", config.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~Essd() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  Essd(const Essd&) = delete;
  Essd& operator=(const Essd&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

/// utime + stime of a process, in seconds.
double cpu_s(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto p = s.rfind(')');
  if (p == std::string::npos) return -1;
  std::vector<std::string> fields;
  std::size_t i = p + 2;
  while (i < s.size()) {
    const auto j = s.find(' ', i);
    fields.push_back(s.substr(i, j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  // fields[0] is the state (field 3); utime/stime are fields 14/15.
  return (std::stod(fields.at(11)) + std::stod(fields.at(12))) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string run_capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

/// The integer after "\"key\":" in a JSON text (first occurrence), or -1.
long long json_int(const std::string& json, const std::string& key) {
  const auto p = json.find("\"" + key + "\":");
  if (p == std::string::npos) return -1;
  return std::atoll(json.c_str() + p + key.size() + 3);
}

std::string write_config(const fs::path& dir, const Options& o, const std::string& device) {
  const fs::path cfg = dir / "essd.toml";
  std::ofstream f(cfg);
  f << "[system]\nstate_file = \"" << (dir / "latches.state").string() << "\"\n";
  if (o.pty) {
    f << "[bus]\ntransport = \"slcan\"\ndevice = \"" << device << "\"\n";
  } else {
    f << "[bus]\ntransport = \"socketcan\"\ninterface = \"" << o.can_iface
      << "\"\nbitrate = 0\nrestart_ms = 0\n";
  }
  f << "[api]\nsocket = \"" << (dir / "essd.sock").string() << "\"\n";
  f << "[panel]\nlcd = \"none\"\n";
  if (!o.gpio_chip.empty()) f << "charge_path = \"" << o.gpio_chip << ":0\"\n";
  f << "[history]\npath = \"" << (dir / "events.db").string() << "\"\n";
  return cfg.string();
}

void measure_startup(const Options& o, bench::Link& link, const std::string& cfg) {
  std::vector<double> ms;
  for (int i = 0; i < o.startups; ++i) {
    link.reset();
    const auto t0 = Clock::now();
    Essd essd(o, cfg);
    if (!wait_ctrl(
            link, nullptr, [](const bus::Ctrl&) { return true; }, std::chrono::seconds(10))) {
      std::printf("startup_failed 1\n");
      return;
    }
    ms.push_back(us_since(t0) / 1000.0);
  }
  std::printf("startup_ms_p50 %.1f\nstartup_ms_max %.1f\nstartup_runs %zu\n", percentile(ms, 50),
              percentile(ms, 100), ms.size());
}

/// The gpio-sim value of the charge path line, -1 if unreadable.
int gpio_value(int fd) {
  char c = 0;
  return ::pread(fd, &c, 1, 0) == 1 ? c - '0' : -1;
}

/// CHG=0 in -> both the CTRL with the charge path open and the charge path
/// GPIO line low (busy-polling the simulator's value file), per trial.
void measure_gpio_latency(const Options& o, bench::Link& link, Module& module) {
  const int fd = ::open(o.gpio_value.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::printf("gpio_unreadable 1\n");
    return;
  }
  std::vector<double> ctrl_us, gpio_us;
  for (int i = 0; i < o.trials; ++i) {
    for (const bool chg : {false, true}) {
      const auto t0 = Clock::now();
      module.set_chg(chg);
      double ctrl = -1, gpio = -1;
      const auto deadline = t0 + std::chrono::seconds(2);
      while ((ctrl < 0 || gpio < 0) && Clock::now() < deadline) {
        if (ctrl < 0) {
          for (const auto& f : link.receive(Clock::now())) {
            const auto r = bus::decode(f);
            if (ctrl < 0 && r.ok() && std::holds_alternative<bus::Ctrl>(*r.message) &&
                std::get<bus::Ctrl>(*r.message).charge_closed == chg) {
              ctrl = us_since(t0);
            }
          }
        }
        if (gpio < 0 && gpio_value(fd) == (chg ? 1 : 0)) gpio = us_since(t0);
        module.service();
      }
      if (ctrl < 0 || gpio < 0) {
        std::printf("gpio_latency_timeout %d\n", i);
        ::close(fd);
        return;
      }
      if (!chg) {
        ctrl_us.push_back(ctrl);
        gpio_us.push_back(gpio);
      }
    }
  }
  ::close(fd);
  std::printf("gpio_trials %zu\n", gpio_us.size());
  std::printf("gpio_open_us_p50 %.0f\ngpio_open_us_p99 %.0f\n", percentile(gpio_us, 50),
              percentile(gpio_us, 99));
  std::printf("gpio_run_ctrl_open_us_p50 %.0f\ngpio_run_ctrl_open_us_p99 %.0f\n",
              percentile(ctrl_us, 50), percentile(ctrl_us, 99));
}

void measure_latency(const Options& o, bench::Link& link, Module& module) {
  std::vector<double> open_us, close_us;
  for (int i = 0; i < o.trials; ++i) {
    auto t0 = Clock::now();
    module.set_chg(false);
    if (!wait_ctrl(
            link, &module, [](const bus::Ctrl& c) { return !c.charge_closed; },
            std::chrono::seconds(2))) {
      std::printf("latency_timeout_open %d\n", i);
      break;
    }
    open_us.push_back(us_since(t0));
    t0 = Clock::now();
    module.set_chg(true);
    if (!wait_ctrl(
            link, &module, [](const bus::Ctrl& c) { return c.charge_closed; },
            std::chrono::seconds(2))) {
      std::printf("latency_timeout_close %d\n", i);
      break;
    }
    close_us.push_back(us_since(t0));
  }
  std::printf("latency_trials %zu\n", open_us.size());
  std::printf("latency_open_us_p50 %.0f\nlatency_open_us_p99 %.0f\nlatency_open_us_max %.0f\n",
              percentile(open_us, 50), percentile(open_us, 99), percentile(open_us, 100));
  std::printf("latency_close_us_p50 %.0f\nlatency_close_us_p99 %.0f\n", percentile(close_us, 50),
              percentile(close_us, 99));
}

/// The latency trials' floor (see the header): timer wake-up lateness of
/// this process over `span`.
void measure_wakeup_floor(Clock::duration span) {
  std::vector<double> late_us;
  const auto end = Clock::now() + span;
  while (Clock::now() < end) {
    const auto want = Clock::now() + std::chrono::microseconds(200);
    std::this_thread::sleep_until(want);
    late_us.push_back(us_since(want));
  }
  std::printf("wakeup_floor_samples %zu\n", late_us.size());
  std::printf("wakeup_floor_us_p50 %.0f\nwakeup_floor_us_p99 %.0f\nwakeup_floor_us_max %.0f\n",
              percentile(late_us, 50), percentile(late_us, 99), percentile(late_us, 100));
}

/// `rate` frames/s for `secs`, half invalid, while module 0 stays connected.
/// Returns the frames sent.
long long blast(bench::Link& link, bench::Link* floor, Module& module, int rate, int secs) {
  std::vector<CanFrame> mix;
  for (int a = 1; a < 16; ++a) {
    bus::Status s;
    s.address = static_cast<std::uint8_t>(a);
    s.voltage_10mv = 5300;
    s.rsoc = 60;
    CanFrame valid = bus::encode(s);
    CanFrame short_len = valid;
    short_len.len = 7;
    CanFrame bad_version = valid;
    bad_version.data[7] = 0x20;
    CanFrame bad_rsoc = valid;
    bad_rsoc.data[4] = 150;
    bus::Alarms al;
    al.address = static_cast<std::uint8_t>(a);
    mix.insert(mix.end(), {valid, short_len, bus::encode(al), bad_version, bad_rsoc});
  }
  const auto per_ms = std::max(1, rate / 1000);
  long long sent = 0;
  std::size_t k = 0;
  std::vector<std::uint8_t> alive(16, 0);
  const auto end = Clock::now() + std::chrono::seconds(secs);
  auto next = Clock::now();
  while (Clock::now() < end) {
    for (int i = 0; i < per_ms; ++i) {
      CanFrame f = mix[k++ % mix.size()];
      if (f.id >= 0x101 && f.id <= 0x10F && f.len == 8) {  // keep alive counters moving
        auto& a = alive[f.id - 0x100];
        a = static_cast<std::uint8_t>((a + 1) & 0x0F);
        f.data[7] = static_cast<std::uint8_t>((f.data[7] & 0xF0) | a);
      }
      link.send(f);
      if (floor) floor->send(f);
      ++sent;
    }
    next += std::chrono::milliseconds(1);
    (void)link.receive(std::min(next, module.service()));
    while (Clock::now() < next) (void)link.receive(next);
  }
  return sent;
}

void measure_load(const Options& o, bench::Link& link, Module& module, pid_t essd,
                  const fs::path& dir, const std::string& prefix = "load") {
  const std::string counters_cmd =
      o.essctl + " --socket " + (dir / "essd.sock").string() + " --json counters";
  // Floor: a raw reader of the same traffic.
  std::unique_ptr<bench::Link> floor_link;
  if (o.pty) {
    floor_link = bench::Link::open_pty();
    floor_link->force_open();
  }
  const pid_t dump = ::fork();
  if (dump == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    if (floor_link) {
      ::execlp("cat", "cat", floor_link->device().c_str(), nullptr);
    } else {
      ::execlp("candump", "candump", o.can_iface.c_str(), nullptr);
    }
    ::_exit(127);
  }
  (void)wait_ctrl(
      link, &module, [](const bus::Ctrl&) { return true; }, std::chrono::seconds(1));
  const std::string before = run_capture(counters_cmd);
  const double cpu0 = cpu_s(essd), dump0 = cpu_s(dump);
  const auto t0 = Clock::now();
  const long long sent = blast(link, floor_link.get(), module, o.rate, o.load_s);
  const double wall = us_since(t0) / 1e6;
  const double cpu1 = cpu_s(essd), dump1 = cpu_s(dump);
  const std::string after = run_capture(counters_cmd);
  ::kill(dump, SIGTERM);
  ::waitpid(dump, nullptr, 0);
  const char* P = prefix.c_str();
  std::printf("%s_frames %lld\n%s_rate_fps %.0f\n", P, sent, P, static_cast<double>(sent) / wall);
  std::printf("%s_essd_cpu_pct %.2f\n%s_floor_cpu_pct %.2f\n", P, 100 * (cpu1 - cpu0) / wall, P,
              100 * (dump1 - dump0) / wall);
  std::printf("%s_frames_in %lld\n", P,
              json_int(after, "frames_in") - json_int(before, "frames_in"));
  std::printf("%s_frames_invalid %lld\n", P,
              json_int(after, "frames_invalid") - json_int(before, "frames_invalid"));
  std::printf("%s_rxq_overflow %lld\n", P, json_int(after, "rxq_overflow"));
  std::printf("%s_loop_lag_p99_ms %lld\n%s_loop_lag_max_ms %lld\n", P,
              json_int(after, "lag_p99_ms"), P, json_int(after, "lag_max_ms"));
  if (prefix == "record") {
    std::printf("record_frames_written %lld\nrecord_frames_dropped %lld\nrecord_bytes %lld\n",
                json_int(after, "frames_written") - json_int(before, "frames_written"),
                json_int(after, "frames_dropped") - json_int(before, "frames_dropped"),
                json_int(after, "bytes_written") - json_int(before, "bytes_written"));
  }
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--essd")
      o.essd = next();
    else if (a == "--essctl")
      o.essctl = next();
    else if (a == "--can")
      o.can_iface = next();
    else if (a == "--pty")
      o.pty = true;
    else if (a == "--gpio-chip")
      o.gpio_chip = next();
    else if (a == "--gpio-value")
      o.gpio_value = next();
    else if (a == "--trials")
      o.trials = std::stoi(next());
    else if (a == "--startups")
      o.startups = std::stoi(next());
    else if (a == "--load-s")
      o.load_s = std::stoi(next());
    else if (a == "--rate")
      o.rate = std::stoi(next());
    else if (a == "--cpu-load")
      o.cpu_load = std::stoi(next());
    else if (a == "--rt")
      o.rt = std::stoi(next());
    else if (a == "--bench-rt")
      o.bench_rt = std::stoi(next());
    else if (a == "--record-load")
      o.record_load = true;
    else if (a == "--beside")
      o.beside = next();
    else
      throw std::invalid_argument("unknown option " + a);
  }
  if (o.essd.empty() || (o.can_iface.empty() == !o.pty)) {
    throw std::invalid_argument("usage: bench_e2e --essd BIN [--essctl BIN] (--can IFACE | --pty)");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  const fs::path dir = fs::temp_directory_path() / ("bench_e2e." + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto link = o.pty ? bench::Link::open_pty() : bench::Link::open_can(o.can_iface);
  const std::string cfg = write_config(dir, o, link->device());
  std::printf("transport %s\n", o.pty ? "slcan-pty" : ("socketcan-" + o.can_iface).c_str());
  CpuLoad load(o.cpu_load);  // forked before this process may turn real-time
  if (o.bench_rt > 0 && !set_fifo(o.bench_rt))
    throw std::runtime_error("--bench-rt: not permitted");
  std::printf(
      "cpu_load_procs %d\nessd_policy %s\nbench_policy %s\n", o.cpu_load,
      o.rt > 0 ? ("SCHED_FIFO " + std::to_string(o.rt)).c_str() : "SCHED_OTHER",
      o.bench_rt > 0 ? ("SCHED_FIFO " + std::to_string(o.bench_rt)).c_str() : "SCHED_OTHER");
  if (o.startups > 0) measure_startup(o, *link, cfg);
  {
    link->reset();
    Essd essd(o, cfg);
    Module module(*link);
    if (!wait_ctrl(
            *link, &module,
            [](const bus::Ctrl& c) { return c.charge_closed && c.discharge_closed; },
            std::chrono::seconds(15))) {
      std::printf("paths_never_closed 1\n");
      return 1;
    }
    // --beside CMD: a load next to essd (ess-gateway, MQTT, scrapers) for
    // the latency trials, started with ESSD_SOCKET set, stopped after them.
    pid_t beside = -1;
    if (!o.beside.empty()) {
      beside = ::fork();
      if (beside == 0) {
        ::setpgid(0, 0);
        ::setenv("ESSD_SOCKET", (dir / "essd.sock").c_str(), 1);
        ::execl("/bin/sh", "sh", "-c", o.beside.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
      }
      ::setpgid(beside, beside);
      // Let it connect and reach its steady state (keep the module talking).
      const auto until = Clock::now() + std::chrono::seconds(3);
      while (Clock::now() < until) {
        (void)link->receive(std::min(until, module.service()));
      }
      std::printf("beside 1\n");
    }
    Clock::duration trials_span{};
    if (o.trials > 0) {
      const auto t0 = Clock::now();
      measure_latency(o, *link, module);
      trials_span = Clock::now() - t0;
    }
    if (beside > 0) {
      ::kill(-beside, SIGTERM);
      ::waitpid(beside, nullptr, 0);
    }
    if (o.trials > 0 && !o.gpio_chip.empty()) measure_gpio_latency(o, *link, module);
    if (o.load_s > 0) measure_load(o, *link, module, essd.pid(), dir);
    if (o.load_s > 0 && o.record_load) {
      // The same load again with essd recording the bus (issue 17's figure).
      const std::string ctl = o.essctl + " --socket " + (dir / "essd.sock").string();
      (void)run_capture(ctl + " record on " + (dir / "record.log").string());
      measure_load(o, *link, module, essd.pid(), dir, "record");
      (void)run_capture(ctl + " record off");
    }
    // Last: the module is not served while it runs (essd may lose it).
    if (o.trials > 0) measure_wakeup_floor(trials_span);
  }
  fs::remove_all(dir);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_e2e: %s\n", e.what());
  return 2;
}
