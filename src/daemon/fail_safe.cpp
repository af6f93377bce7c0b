// SPDX-License-Identifier: MIT
#include "daemon/fail_safe.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "essd/module_bus.hpp"
#include "hal/can/can_bus.hpp"
#include "hal/gpio/output_pin.hpp"

namespace essd::daemon::fail_safe {
namespace {

std::atomic<hal::OutputPin*> g_charge{nullptr};
std::atomic<hal::OutputPin*> g_discharge{nullptr};
std::atomic<hal::CanBus*> g_bus{nullptr};
std::atomic<std::uint8_t> g_alive{0};
std::atomic<int> g_fired{0};
std::atomic<bool> g_installed{false};

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction g_previous[sizeof kFatalSignals / sizeof kFatalSignals[0]];
alignas(16) char g_alt_stack[64 * 1024];

void say(const char* text) noexcept {
  ssize_t r = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)r;
}

[[noreturn]] void on_terminate() noexcept {
  open_paths_now("std::terminate");
  // The reason, when an exception got here (best effort: this may allocate,
  // but the paths are already open).
  if (auto e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      say("essd: uncaught exception: ");
      say(x.what());
      say("\n");
    } catch (...) {
      say("essd: uncaught exception of unknown type\n");
    }
  }
  std::abort();  // non-zero, with a core dump for the post-mortem
}

void on_fatal_signal(int signo, siginfo_t* info, void*) {
  open_paths_now(signo == SIGSEGV  ? "SIGSEGV"
                 : signo == SIGBUS ? "SIGBUS"
                 : signo == SIGFPE ? "SIGFPE"
                 : signo == SIGILL ? "SIGILL"
                                   : "SIGABRT");
  // Hand the signal on to whoever had it before (the default action, or a
  // sanitizer's report): a fault re-executes and faults again into it; a
  // sent or raised signal is raised again.
  for (std::size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i) {
    if (kFatalSignals[i] == signo) ::sigaction(signo, &g_previous[i], nullptr);
  }
  if (info == nullptr || info->si_code <= 0 || signo == SIGABRT) ::raise(signo);
}

void install() {
  if (g_installed.exchange(true)) return;
  std::set_terminate(on_terminate);
  stack_t ss{};
  ss.ss_sp = g_alt_stack;
  ss.ss_size = sizeof g_alt_stack;
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = on_fatal_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i) {
    ::sigaction(kFatalSignals[i], &sa, &g_previous[i]);
  }
}

}  // namespace

void arm(const Targets& t) {
  install();
  g_charge = t.charge_path;
  g_discharge = t.discharge_path;
  g_bus = t.bus;
}

void disarm() {
  g_charge = nullptr;
  g_discharge = nullptr;
  g_bus = nullptr;
}

void note_ctrl_sent(std::uint8_t alive) {
  g_alive.store(static_cast<std::uint8_t>(alive + 1), std::memory_order_relaxed);
}

void open_paths_now(const char* why) noexcept {
  if (g_fired.exchange(1) != 0) return;
  say("essd: internal error (");
  say(why);
  say("): driving both paths open, sending the final CTRL\n");
  if (auto* p = g_charge.load()) p->force_safe();
  if (auto* p = g_discharge.load()) p->force_safe();
  if (auto* b = g_bus.load()) {
    bus::Ctrl c;
    c.mode = bus::kCtrlNormal;
    c.charge_closed = false;
    c.discharge_closed = false;
    c.alive = g_alive.load(std::memory_order_relaxed);
    say(b->send_emergency(bus::encode(c)) ? "essd: final CTRL sent (mode 0, both paths open)\n"
                                          : "essd: final CTRL could not be sent\n");
  }
}

int fired() {
  return g_fired.load();
}

}  // namespace essd::daemon::fail_safe
