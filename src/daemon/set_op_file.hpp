// SPDX-License-Identifier: MIT
#pragma once
// Persistence of a standing SunSpec SetOp DISCONNECT across a restart
// (docs/host-links.md "RS232C terminal": persisted like the latches). Its own small file beside
// the latch state file, `<system.state_file>.setop`:
//   essd-setop 1
//   disconnect 1
//   crc32 1a2b3c4d          (CRC-32 of everything before this line)
// Written atomically (temp file, fsync, rename, directory fsync) on a worker
// thread (a BlockingWorker's), one slot deep: only the newest state matters.
#include <functional>
#include <optional>
#include <string>

#include "essd/blocking_worker.hpp"

namespace essd::daemon {

std::string set_op_path(const std::string& state_file);

struct SetOpLoad {
  /// nullopt when the file is missing (error empty) or unusable (error set).
  std::optional<bool> disconnect;
  std::string error;
};
SetOpLoad load_set_op(const std::string& path);
std::string format_set_op(bool disconnect);
std::optional<bool> parse_set_op(const std::string& text, std::string& error);
/// "" on success, else why.
std::string save_set_op(const std::string& path, bool disconnect);

class SetOpSaver {
 public:
  /// `on_result(error)` runs on the worker after each write ("" = ok).
  explicit SetOpSaver(std::string path, std::function<void(std::string)> on_result);
  ~SetOpSaver();  // writes what is pending, then joins
  SetOpSaver(const SetOpSaver&) = delete;
  SetOpSaver& operator=(const SetOpSaver&) = delete;
  void save(bool disconnect);
  void flush();  // blocks until nothing is pending (shut-down)

 private:
  void attempt(bool disconnect);
  std::string path_;
  std::function<void(std::string)> on_result_;
  BlockingWorker worker_;  // last: stopped before what its jobs use
};

}  // namespace essd::daemon
