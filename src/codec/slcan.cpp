// SPDX-License-Identifier: MIT
// Lawicel SLCAN line codec. Every byte moves the decoder forward by at most
// one step and its buffer is fixed-size, so no input can stall or grow it:
// garbage and over-long lines are dropped at the next '\r' and counted.
#include "essd/slcan.hpp"

#include <stdexcept>

namespace essd::slcan {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses `count` hex digits at p; -1 on any non-hex digit.
long parse_hex(const char* p, std::size_t count) {
  long v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const int d = hex_value(p[i]);
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

}  // namespace

std::string encode_frame(const CanFrame& f) {
  std::string out;
  out.reserve(30);
  const std::uint8_t len = f.len > 8 ? 8 : f.len;
  if (f.extended) {
    out += f.remote ? 'R' : 'T';
    for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(f.id >> shift) & 0x0F];
  } else {
    out += f.remote ? 'r' : 't';
    for (int shift = 8; shift >= 0; shift -= 4) out += kHex[(f.id >> shift) & 0x0F];
  }
  out += static_cast<char>('0' + len);
  if (!f.remote) {
    for (std::uint8_t i = 0; i < len; ++i) {
      out += kHex[f.data[i] >> 4];
      out += kHex[f.data[i] & 0x0F];
    }
  }
  out += '\r';
  return out;
}

std::vector<std::string> setup_sequence(int bitrate) {
  static constexpr struct {
    int bitrate;
    const char* cmd;
  } kRates[] = {{10000, "S0\r"},  {20000, "S1\r"},  {50000, "S2\r"},
                {100000, "S3\r"}, {125000, "S4\r"}, {250000, "S5\r"},
                {500000, "S6\r"}, {800000, "S7\r"}, {1000000, "S8\r"}};
  for (const auto& r : kRates) {
    if (r.bitrate == bitrate) return {"C\r", r.cmd, "O\r"};
  }
  throw std::invalid_argument("SLCAN: unsupported bitrate " + std::to_string(bitrate));
}

void Decoder::reset() {
  len_ = 0;
  overlong_ = false;
}

bool Decoder::push(char c, Output& out) {
  if (c == '\n') return false;  // stray LF (some adapters send CRLF)
  if (c == '\a') {
    // BEL ends whatever was pending: a partial line before it is garbage.
    if (overlong_) {
      ++counters_.overlong;
    } else if (len_ > 0) {
      ++counters_.garbage;
    }
    reset();
    ++counters_.errors;
    out.kind = Output::Kind::error;
    return true;
  }
  if (c == '\r') {
    const bool produced = finish_line(out);
    reset();
    return produced;
  }
  if (overlong_) return false;
  if (len_ == kMaxLine) {
    overlong_ = true;
    return false;
  }
  line_[len_++] = c;
  return false;
}

namespace {

// One t/T/r/R line (without its CR): the frame, or false for garbage.
bool parse_frame_line(const char* line, std::size_t len, CanFrame& f) {
  const char type = line[0];
  const bool extended = type == 'T' || type == 'R';
  const bool remote = type == 'r' || type == 'R';
  if (type != 't' && type != 'T' && type != 'r' && type != 'R') return false;
  const std::size_t id_digits = extended ? 8 : 3;
  if (len < 1 + id_digits + 1) return false;
  const long id = parse_hex(line + 1, id_digits);
  const int dlc = hex_value(line[1 + id_digits]);
  if (id < 0 || dlc < 0 || dlc > 8 || (!extended && id > 0x7FF) || (extended && id > 0x1FFFFFFF))
    return false;
  std::size_t pos = 1 + id_digits + 1;
  f.id = static_cast<std::uint32_t>(id);
  f.extended = extended;
  f.remote = remote;
  f.len = static_cast<std::uint8_t>(dlc);
  if (!remote) {
    if (len < pos + 2 * static_cast<std::size_t>(dlc)) return false;
    for (int i = 0; i < dlc; ++i) {
      const long b = parse_hex(line + pos, 2);
      if (b < 0) return false;
      f.data[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(b);
      pos += 2;
    }
  }
  // Optional 4-digit timestamp (adapter's Z1 mode); anything else is garbage.
  const std::size_t tail = len - pos;
  return tail == 0 || (tail == 4 && parse_hex(line + pos, 4) >= 0);
}

}  // namespace

bool Decoder::finish_line(Output& out) {
  if (overlong_) {
    ++counters_.overlong;
    return false;
  }
  if (len_ == 0) {
    ++counters_.ok;
    out.kind = Output::Kind::ok;
    return true;
  }
  if (len_ == 1 && (line_[0] == 'z' || line_[0] == 'Z')) {
    ++counters_.tx_acks;
    out.kind = Output::Kind::tx_ack;
    return true;
  }
  CanFrame f;
  if (!parse_frame_line(line_, len_, f)) {
    ++counters_.garbage;
    return false;
  }
  ++counters_.frames;
  out.kind = Output::Kind::frame;
  out.frame = f;
  return true;
}

}  // namespace essd::slcan
