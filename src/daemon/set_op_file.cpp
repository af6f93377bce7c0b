// SPDX-License-Identifier: MIT
#include "daemon/set_op_file.hpp"

#include <cstdio>
#include <exception>

#include "daemon/durable_file.hpp"

namespace essd::daemon {
namespace {

constexpr const char* kHeader = "essd-setop 1\n";
constexpr std::size_t kMaxFile = 4096;

std::uint32_t crc32(const std::string& s) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    crc ^= ch;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

}  // namespace

std::string set_op_path(const std::string& state_file) {
  return state_file + ".setop";
}

std::string format_set_op(bool disconnect) {
  std::string body = kHeader;
  body += std::string("disconnect ") + (disconnect ? "1" : "0") + "\n";
  char crc[32];
  std::snprintf(crc, sizeof crc, "crc32 %08x\n", crc32(body));
  return body + crc;
}

std::optional<bool> parse_set_op(const std::string& text, std::string& error) {
  const auto crc_pos = text.rfind("crc32 ");
  if (crc_pos == std::string::npos || (crc_pos > 0 && text[crc_pos - 1] != '\n')) {
    error = text.empty() ? "empty file" : "no checksum line (torn write?)";
    return std::nullopt;
  }
  const std::string body = text.substr(0, crc_pos);
  char want[32];
  std::snprintf(want, sizeof want, "crc32 %08x\n", crc32(body));
  if (text.substr(crc_pos) != want) {
    error = "checksum mismatch";
    return std::nullopt;
  }
  if (body == std::string(kHeader) + "disconnect 1\n") return true;
  if (body == std::string(kHeader) + "disconnect 0\n") return false;
  error = "not an essd-setop 1 file";
  return std::nullopt;
}

SetOpLoad load_set_op(const std::string& path) {
  SetOpLoad r;
  const SmallFile f = read_small_file(path, kMaxFile);
  if (f.missing) return r;
  r.error = f.error;
  if (r.error.empty()) r.disconnect = parse_set_op(f.text, r.error);
  return r;
}

std::string save_set_op(const std::string& path, bool disconnect) {
  return replace_file_durably(path, format_set_op(disconnect), 0640);
}

SetOpSaver::SetOpSaver(std::string path, std::function<void(std::string)> on_result)
    : path_(std::move(path)), on_result_(std::move(on_result)), worker_("essd-setop", 1) {}

// The worker (the last member) makes its one attempt at what is pending, then joins.
SetOpSaver::~SetOpSaver() = default;

void SetOpSaver::save(bool disconnect) {
  worker_.post_latest(0, [this, disconnect] {
    attempt(disconnect);
    return BlockingWorker::RetryAfter{};  // no retry: the next save() writes again
  });
}

void SetOpSaver::flush() {
  worker_.drain();
}

void SetOpSaver::attempt(bool disconnect) {
  std::string err;
  try {
    err = save_set_op(path_, disconnect);
  } catch (const std::exception& e) {
    err = std::string("cannot save the SetOp state: ") + e.what();  // reported, not swallowed
  }
  if (on_result_) on_result_(err);
}

}  // namespace essd::daemon
