// SPDX-License-Identifier: MIT
#include "daemon/latch_file.hpp"

#include "core/latch_codec.hpp"
#include "daemon/durable_file.hpp"

namespace essd::daemon {

LatchFileLoad load_latch_file(const std::string& path) {
  LatchFileLoad r;
  const SmallFile f = read_small_file(path, core::kMaxLatchFileBytes);
  if (f.missing) return r;  // first start
  if (!f.error.empty()) {
    // Unreadable: when in doubt, both latches stand.
    r.error = f.error;
    r.latches = core::Latches{true, true};
    return r;
  }
  const auto d = core::decode_latches(f.text);
  r.latches = d.latches;
  if (!d.ok()) r.error = path + ": " + d.error;
  return r;
}

std::string save_latch_file(const std::string& path, const core::Latches& latches) {
  if (auto e = make_dirs(dir_of(path)); !e.empty()) return e;
  return replace_file_durably(path, core::encode_latches(latches), 0644);
}

}  // namespace essd::daemon
