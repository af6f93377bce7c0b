// SPDX-License-Identifier: MIT
#include "core/latch_codec.hpp"

#include <cstdint>
#include <cstdio>
#include <sstream>

namespace essd::core {

namespace {

std::uint32_t crc32(std::string_view s) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    crc ^= ch;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

constexpr std::string_view kHeader = "essd-latches 1\n";

LatchDecodeResult fail(std::string why) {
  LatchDecodeResult r;
  r.error = std::move(why);
  return r;
}

}  // namespace

std::string encode_latches(const Latches& l) {
  std::string body(kHeader);
  body += std::string("ov_error ") + (l.ov_error ? "1" : "0") + "\n";
  body += std::string("discharge_error ") + (l.discharge_error ? "1" : "0") + "\n";
  char crc[32];
  std::snprintf(crc, sizeof crc, "crc32 %08x\n", crc32(body));
  return body + crc;
}

LatchDecodeResult decode_latches(std::string_view text) {
  if (text.empty()) return fail("empty file");
  if (text.size() > kMaxLatchFileBytes) return fail("file too large");
  const auto crc_pos = text.rfind("crc32 ");
  if (crc_pos == std::string_view::npos || (crc_pos > 0 && text[crc_pos - 1] != '\n'))
    return fail("no checksum line (torn write?)");
  const std::string_view body = text.substr(0, crc_pos);
  char want[24];
  std::snprintf(want, sizeof want, "crc32 %08x\n", crc32(body));
  if (text.substr(crc_pos) != want) return fail("checksum mismatch");
  if (body.substr(0, kHeader.size()) != kHeader) return fail("unknown header");
  std::istringstream in(std::string(body.substr(kHeader.size())));
  Latches l;
  bool have_ov = false, have_dis = false;
  std::string key, value;
  while (in >> key >> value) {
    if (value != "0" && value != "1") return fail("bad value for " + key);
    if (key == "ov_error") {
      l.ov_error = value == "1";
      have_ov = true;
    } else if (key == "discharge_error") {
      l.discharge_error = value == "1";
      have_dis = true;
    }  // unknown keys: a later version's additions, ignored
  }
  if (!have_ov || !have_dis) return fail("missing entries");
  LatchDecodeResult r;
  r.latches = l;
  return r;
}

}  // namespace essd::core
