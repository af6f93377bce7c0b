// SPDX-License-Identifier: MIT
#pragma once
// Shared by the hostile suite: the attacker (hostile_client, copied where an
// unprivileged uid can run it: the checkout may sit in a 0700 directory) and
// the figures each test prints for bench/results.md.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "rig.hpp"

namespace essd::itest {

#ifdef ESSD_SLOW_BUILD
inline constexpr int kHostileSlow = 3;
#else
inline constexpr int kHostileSlow = 1;
#endif

inline constexpr uid_t kNobody = 65534;

/// hostile_client inside the rig's directory (mode 0755), path returned.
inline std::string attacker(Rig& rig) {
  const std::string to = rig.dir / "hostile_client";
  if (!std::filesystem::exists(to)) {
    std::filesystem::copy_file(ESSD_HOSTILE_CLIENT, to);
    ::chmod(to.c_str(), 0755);
  }
  return to;
}

/// Runs one attack to completion as `uid`; its one-line report.
inline std::string attack(Rig& rig, uid_t uid, const std::vector<std::string>& args,
                          const std::string& target = "") {
  std::vector<std::string> argv{attacker(rig), std::to_string(uid),
                                target.empty() ? rig.socket() : target};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run(argv);
  EXPECT_EQ(r.code, 0) << r.out;
  return r.out;
}

/// A long-running attack (hold, readers) as `uid`.
inline Child attack_in_background(Rig& rig, uid_t uid, const std::vector<std::string>& args) {
  std::vector<std::string> argv{attacker(rig), std::to_string(uid), rig.socket()};
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions o;
  o.pipe_stdout = true;
  return Child(argv, o);
}

/// One figure for bench/results.md: "FIGURE attack key value".
inline void figure(const char* attack, const char* key, long long value) {
  std::printf("FIGURE %s %s %lld\n", attack, key, value);
  std::fflush(stdout);
}

}  // namespace essd::itest
