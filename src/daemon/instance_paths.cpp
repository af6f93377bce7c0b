// SPDX-License-Identifier: MIT
#include "daemon/instance_paths.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <utility>

namespace essd::daemon {

std::vector<std::string> unsafe_directory_warnings(const Config& config) {
  const std::pair<const char*, std::string> keys[] = {
      // bus.record is checked by the recorder when it opens its file.
      {"api.socket", config.api.socket},
      {"history.path", config.history.path},
      {"system.state_file", config.system.state_file},
  };
  std::vector<std::string> out;
  for (const auto& [key, path] : keys) {
    if (path.empty()) continue;
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) continue;  // reported where the file is opened
    std::string what;
    if (st.st_mode & S_IWOTH)
      what = (st.st_mode & S_ISVTX) ? "world-writable (sticky)" : "world-writable";
    else if (st.st_mode & S_IWGRP)
      what = "group-writable";
    if (!what.empty()) {
      out.push_back(std::string(key) + ": directory " + dir + " is " + what +
                    "; other users could replace or redirect " + path);
    }
  }
  return out;
}

}  // namespace essd::daemon
