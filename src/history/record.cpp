// SPDX-License-Identifier: MIT
// Record construction and the API's JSON shape.
#include <ctime>

#include "history/history.hpp"

namespace essd::history {

std::string format_time(std::chrono::system_clock::time_point wall) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(wall.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {  // before 1970: keep the fraction positive
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03ldZ", frac);
  return buf;
}

Record make_record(std::uint64_t seq, const Event& e, std::chrono::system_clock::time_point wall) {
  Record r;
  r.seq = seq;
  r.time = format_time(wall);
  r.severity = e.severity;
  r.kind = e.kind;
  r.message = e.message;
  r.data = nlohmann::json::object();
  if (e.module >= 0) r.data["module"] = e.module;
  if (!e.cause.empty()) r.data["cause"] = e.cause;
  if (!e.path.empty()) r.data["path"] = e.path;
  return r;
}

nlohmann::json Record::to_json() const {
  return nlohmann::json{{"seq", seq},   {"time", time},       {"severity", to_string(severity)},
                        {"kind", kind}, {"message", message}, {"data", data}};
}

}  // namespace essd::history
