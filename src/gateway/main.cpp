// SPDX-License-Identifier: MIT
// ess-gateway: composition root only. Command line, one-shot modes, then
// the App on one io_context.
#include <cstdio>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "gateway/app.hpp"
#include "gateway/config.hpp"

namespace {

int run(int argc, char** argv) {
  using namespace essd::gateway;
  std::string config_path = kDefaultConfigPath;
  bool check = false, print_default = false, version = false;
  CLI::App cli{"ess-gateway: essd's data over MQTT, Prometheus and HTTP"};
  auto* config_opt = cli.add_option("--config", config_path, "configuration file")
                         ->default_str(kDefaultConfigPath);
  cli.add_flag("--check-config", check, "validate the configuration and exit");
  cli.add_flag("--print-default-config", print_default,
               "print a complete, commented configuration file");
  cli.add_flag("--version", version, "print the version");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.exit(e);
    return 2;
  }
  if (version) {
    std::cout << "ess-gateway " << ESSD_VERSION << "\n";
    return 0;
  }
  if (print_default) {
    std::cout << default_config_text();
    return 0;
  }
  const bool named = config_opt->count() > 0;
  ConfigLoad loaded = load_config(config_path, named);
  if (check || !loaded.ok) {
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    return loaded.ok ? 0 : 2;
  }
  auto logger = spdlog::stderr_color_mt("ess-gateway");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  boost::asio::io_context io(1);
  App app(io, std::move(loaded.config), config_path, named);
  if (int rc = app.start(); rc != 0) return rc;
  return app.run();
}

}  // namespace

int main(int argc, char** argv) {
  // An exception from anywhere in run() (the logger, the App) ends here with
  // a message and exit 1, not in std::terminate.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ess-gateway: fatal: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "ess-gateway: fatal: unknown exception\n");
  }
  return 1;
}
