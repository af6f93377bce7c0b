// SPDX-License-Identifier: MIT
#pragma once
// Sans-IO emulation of a Lawicel SLCAN adapter (the device side of
// docs/codec.md "SLCAN"): the host's command lines in, the adapter's
// replies and the frames the host transmitted out. ess-sim runs it on a pty.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "essd/can_frame.hpp"
#include "essd/slcan.hpp"

namespace essd::sim {

class SlcanAdapter {
 public:
  static constexpr std::size_t kMaxLine = 64;

  /// Bytes from the host. Appends the adapter's replies to `reply` and the
  /// frames the host sent on the bus to `tx`.
  void feed(std::string_view bytes, std::string& reply, std::vector<CanFrame>& tx);
  /// A bus frame as the adapter forwards it to the host; "" while the
  /// channel is closed (frames are only forwarded once opened).
  std::string forward(const CanFrame& frame) const;
  /// The host went away (tty closed): channel closed, partial line dropped.
  void reset();

  bool is_open() const { return open_; }
  int bitrate_code() const { return bitrate_; }  // S0..S8, 6 = 500 kbit/s
  std::uint64_t commands() const { return commands_; }
  std::uint64_t errors() const { return errors_; }  // BEL replies

 private:
  void line(std::string_view l, std::string& reply, std::vector<CanFrame>& tx);
  /// A t/T/r/R line on an open channel: the frame it carries goes to `tx`;
  /// false when the line does not decode to one.
  bool transmit(std::string_view l, std::vector<CanFrame>& tx);

  std::string buf_;
  bool overlong_ = false;
  bool open_ = false;
  bool listen_only_ = false;
  int bitrate_ = 6;
  slcan::Decoder decoder_;
  std::uint64_t commands_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace essd::sim
