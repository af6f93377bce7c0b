// SPDX-License-Identifier: MIT
#pragma once
// The one wording of a failed system call: "what: <strerror(errno)>". Call
// it right after the call failed, before anything else can change errno.
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace essd {

inline std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace essd
