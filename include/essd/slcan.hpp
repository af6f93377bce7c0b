// SPDX-License-Identifier: MIT
#pragma once
// Lawicel SLCAN line codec (docs/codec.md "SLCAN"), sans-IO: bytes in,
// frames and adapter replies out. The decoder resynchronises on garbage and
// over-long lines (dropped up to the next '\r') and never stalls.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "essd/can_frame.hpp"

namespace essd::slcan {

/// "t1038C81410FF50530713\r" (upper-case hex); 'T' for extended ids, 'r'/'R' for remote.
std::string encode_frame(const CanFrame& frame);

/// Adapter set-up: "C\r" (error reply tolerated), "S<n>\r", "O\r".
/// Supported bitrates: 10k..1M (S0..S8); 500 kbit/s -> "S6\r".
std::vector<std::string> setup_sequence(int bitrate = 500000);

struct Output {
  enum class Kind {
    frame,   // a received t/T/r/R line
    ok,      // bare "\r": command accepted / frame sent
    tx_ack,  // "z\r" or "Z\r" after a transmitted frame
    error,   // BEL: command refused / frame not sent
  };
  Kind kind = Kind::ok;
  CanFrame frame;  // valid when kind == frame
};

struct Counters {
  std::uint64_t frames = 0;    // frame lines decoded
  std::uint64_t ok = 0;        // bare \r replies
  std::uint64_t tx_acks = 0;   // z/Z replies
  std::uint64_t errors = 0;    // BEL replies
  std::uint64_t garbage = 0;   // malformed lines dropped
  std::uint64_t overlong = 0;  // lines longer than kMaxLine dropped
};

class Decoder {
 public:
  /// Longest valid line: "T" + 8 id + 1 len + 16 data + 4 timestamp = 30.
  static constexpr std::size_t kMaxLine = 32;

  /// Feed any chunk of bytes (a byte, a partial line, many lines). Calls
  /// sink(const Output&) for every complete item, in order.
  template <class Sink>
  void feed(std::string_view bytes, Sink&& sink) {
    for (char c : bytes) {
      Output out;
      if (push(c, out)) sink(out);
    }
  }

  const Counters& counters() const { return counters_; }
  void reset();  // drop a partial line (e.g. after the device reopened)

 private:
  bool push(char c, Output& out);  // true when out holds a complete item
  bool finish_line(Output& out);
  char line_[kMaxLine]{};
  std::size_t len_ = 0;
  bool overlong_ = false;
  Counters counters_;
};

}  // namespace essd::slcan
