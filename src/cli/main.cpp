// SPDX-License-Identifier: MIT
// essctl: command-line client of essd's local API (docs/essctl.md).
#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/essctl.hpp"
#include "essd/version.hpp"

namespace {

int run(int argc, char** argv) {
  using namespace essd::cli;
  Options opt;
  const char* env = std::getenv("ESSD_SOCKET");
  opt.socket = env && *env ? env : "/run/essd/essd.sock";

  CLI::App app{"essctl: query and control the essd energy-storage controller"};
  app.set_version_flag("--version", std::string(essd::kVersion));
  app.add_option("--socket", opt.socket,
                 "API socket (default /run/essd/essd.sock or $ESSD_SOCKET)");
  app.add_flag("--json", opt.json, "print the daemon's JSON instead of tables");
  app.add_option("--timeout", opt.timeout_ms, "reply timeout in milliseconds")
      ->check(CLI::Range(1, 3600000));
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand

  Action action;
  add_status(app, opt, action);
  add_modules(app, opt, action);
  add_module(app, opt, action);
  add_cells(app, opt, action);
  add_events(app, opt, action);
  add_watch(app, opt, action);
  add_display(app, opt, action);
  add_counters(app, opt, action);
  add_maintenance(app, opt, action);
  add_press(app, opt, action);
  add_reload(app, opt, action);
  add_record(app, opt, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }
  if (!action) return kUsage;
  return action();
}

}  // namespace

int main(int argc, char** argv) {
  // An exception (a reply of an unexpected shape that a command reads, or
  // out of memory) ends essctl with a message and exit 1, not an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "essctl: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "essctl: unexpected error\n";
  }
  return essd::cli::kErrorReply;
}
