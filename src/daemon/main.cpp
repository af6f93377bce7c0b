// SPDX-License-Identifier: MIT
// essd: composition root only. Parses the command line, handles the
// one-shot modes, then builds the App on one io_context and runs it.
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>

#include "config/config.hpp"
#include "daemon/app.hpp"
#include "daemon/command_line.hpp"
#include "daemon/logging.hpp"
#include "daemon/realtime.hpp"
#include "essd/version.hpp"
#ifdef ESSD_FAULT_INJECTION
#include "daemon/fault_injection.hpp"
#endif

int main(int argc, char** argv) {
  using namespace essd::daemon;
  int code = kExitOk;
  auto cl = parse_command_line(argc, argv, code);
  if (!cl) return code;
  if (cl->version) {
    std::cout << "essd " << essd::kVersion << "\n";
    return kExitOk;
  }
  if (cl->print_default_config) {
    std::cout << essd::config::default_config_text();
    return kExitOk;
  }
  LoadedConfig loaded = load_config(*cl);
  if (cl->check_config) {
    for (const auto& w : loaded.warnings) std::cerr << w << "\n";
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    return loaded.config ? kExitOk : kExitUsage;
  }
  // Before any thread exists: workers must not inherit a real-time policy.
  auto rt = realtime::prepare_loop_thread();
  essd::logging::init_logging();
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    return kExitUsage;
  }
  try {
    boost::asio::io_context io(1);
    App app(io, *cl, std::move(*loaded.config), loaded.source);
    if (int rc = app.start(); rc != kExitOk) return rc;
    if (rt.realtime) {
      int lowered = realtime::lower_other_threads(rt.warnings);
      spdlog::info("control loop at {}{}, worker threads at SCHED_OTHER{}", rt.policy,
                   rt.memory_locked ? ", memory locked" : "",
                   lowered ? " (" + std::to_string(lowered) + " lowered one by one)" : "");
    }
    for (const auto& w : rt.warnings) spdlog::warn("real-time: {}", w);
#ifdef ESSD_FAULT_INJECTION
    install_fault_injection(io);  // the test binary only (fault_injection.hpp)
#endif
    return app.run();
  } catch (const std::exception& e) {
    // Anything thrown this far is a bug; the GPIO lines were requested so
    // that their release on exit returns them to the safe level.
    std::fprintf(stderr, "essd: fatal: %s\n", e.what());
    return kExitRuntime;
  }
}
