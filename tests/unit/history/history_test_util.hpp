// SPDX-License-Identifier: MIT
#pragma once
// Temporary directory and synchronous query helpers for the history tests.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "history/history.hpp"

namespace essd::history::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "essd-hist-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline Event ev(std::string kind, int module = -1, std::string cause = "", std::string path = "") {
  Event e;
  e.kind = std::move(kind);
  e.message = "message " + e.kind;
  e.module = module;
  e.cause = std::move(cause);
  e.path = std::move(path);
  return e;
}

using Result = std::pair<std::vector<Record>, std::uint64_t>;

/// Runs io until the query's done() has run (deadline 10 s); done() must run
/// on io's thread, which is this one.
template <typename Start>
std::optional<Result> run_query(boost::asio::io_context& io, Start start) {
  std::optional<Result> out;
  io.restart();  // the previous guard's release stopped io
  auto guard = boost::asio::make_work_guard(io);
  start([&](std::vector<Record> r, std::uint64_t next) { out.emplace(std::move(r), next); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!out && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(100));
  return out;
}

inline std::optional<Result> query(boost::asio::io_context& io, History& h, std::uint64_t after,
                                   int limit) {
  return run_query(io, [&](auto done) { h.query(after, limit, done); });
}

}  // namespace essd::history::test
