// SPDX-License-Identifier: MIT
#pragma once
// Shared parts of essctl: global options, exit codes, the one-request helper
// and small formatting helpers. Each subcommand lives in its own cmd_*.cpp
// and registers itself through an add_* function (libgpiod-tools style).
#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "api/api_client.hpp"

namespace essd::cli {

/// Exit codes (docs/essctl.md).
enum Exit : int {
  kOk = 0,
  kErrorReply = 1,   // the daemon answered with an error
  kUsage = 2,        // bad command line
  kUnreachable = 3,  // daemon not running, socket unreachable, connection lost
  kForbidden = 4,    // privileged command refused
};

struct Options {
  std::string socket;
  bool json = false;
  int timeout_ms = 10000;
};

/// The subcommand chosen on the command line; returns the exit code.
using Action = std::function<int()>;

/// Connects (reporting failures on stderr); kOk or kUnreachable.
int connect(const Options& opt, api::Client& client);
/// Sends one request and maps the outcome to an exit code; on kOk `result`
/// holds the reply's result. Errors are printed on stderr.
int call(const Options& opt, api::Client& client, nlohmann::json req, nlohmann::json& result);
/// Connect + call in one.
int call(const Options& opt, nlohmann::json req, nlohmann::json& result);
/// Prints `result` as one JSON line (--json).
void print_json(const nlohmann::json& j);

/// Formatting helpers for human output: "53.20", "-", etc.
std::string num(const nlohmann::json& v, int decimals);
std::string str(const nlohmann::json& v);

void add_status(CLI::App& app, const Options& opt, Action& action);
void add_modules(CLI::App& app, const Options& opt, Action& action);
void add_module(CLI::App& app, const Options& opt, Action& action);
void add_cells(CLI::App& app, const Options& opt, Action& action);
void add_events(CLI::App& app, const Options& opt, Action& action);
void add_watch(CLI::App& app, const Options& opt, Action& action);
void add_display(CLI::App& app, const Options& opt, Action& action);
void add_counters(CLI::App& app, const Options& opt, Action& action);
void add_maintenance(CLI::App& app, const Options& opt, Action& action);
void add_press(CLI::App& app, const Options& opt, Action& action);
void add_reload(CLI::App& app, const Options& opt, Action& action);
void add_record(CLI::App& app, const Options& opt, Action& action);

/// Shared by status and watch: the human status block.
void print_status(const nlohmann::json& s);
/// Shared by events and watch: one event line.
void print_event(const nlohmann::json& e);

}  // namespace essd::cli
