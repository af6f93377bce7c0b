// SPDX-License-Identifier: MIT
#include "sim/slcan_adapter.hpp"

namespace essd::sim {
namespace {

constexpr char kOk[] = "\r";
constexpr char kBel[] = "\a";

// The answer to a query of the adapter itself: V and v (versions), N (serial
// number), F (status flags, none set).
const char* query_reply(char query) {
  switch (query) {
    case 'V':
      return "V1013\r";
    case 'v':
      return "v1013\r";
    case 'N':
      return "NSIM1\r";
    case 'F':
      return "F00\r";
    default:
      return "";
  }
}

}  // namespace

void SlcanAdapter::reset() {
  buf_.clear();
  overlong_ = false;
  open_ = false;
  listen_only_ = false;
  decoder_.reset();
}

void SlcanAdapter::feed(std::string_view bytes, std::string& reply, std::vector<CanFrame>& tx) {
  for (char c : bytes) {
    if (c == '\n') continue;  // a stray LF from a terminal
    if (c != '\r') {
      if (buf_.size() >= kMaxLine) {
        overlong_ = true;  // keep dropping up to the next CR
      } else {
        buf_.push_back(c);
      }
      continue;
    }
    if (overlong_) {
      ++errors_;
      reply += kBel;
    } else {
      line(buf_, reply, tx);
    }
    buf_.clear();
    overlong_ = false;
  }
}

void SlcanAdapter::line(std::string_view l, std::string& reply, std::vector<CanFrame>& tx) {
  ++commands_;
  const auto bel = [&] {
    ++errors_;
    reply += kBel;
  };
  if (l.empty()) {  // a bare CR (hosts send a few to flush the adapter)
    reply += kOk;
    return;
  }
  switch (l[0]) {
    case 'C':
      open_ = false;
      reply += kOk;
      return;
    case 'S':
      if (open_ || l.size() != 2 || l[1] < '0' || l[1] > '8') return bel();
      bitrate_ = l[1] - '0';
      reply += kOk;
      return;
    case 's':  // BTR registers: accepted, not modelled
      if (open_) return bel();
      reply += kOk;
      return;
    case 'O':
    case 'L':
      if (open_ || l.size() != 1) return bel();
      open_ = true;
      listen_only_ = l[0] == 'L';
      reply += kOk;
      return;
    case 'V':
    case 'v':
    case 'N':
    case 'F':
      reply += query_reply(l[0]);
      return;
    case 'Z':
    case 'X':
    case 'W':
    case 'M':
    case 'm':
    case 'Q':
    case 'U':
      reply += kOk;
      return;
    case 't':
    case 'T':
    case 'r':
    case 'R':
      if (!open_ || listen_only_ || !transmit(l, tx)) return bel();
      reply += (l[0] == 't' || l[0] == 'r') ? "z\r" : "Z\r";
      return;
    default:
      return bel();
  }
}

bool SlcanAdapter::transmit(std::string_view l, std::vector<CanFrame>& tx) {
  bool got = false;
  std::string framed(l);
  framed.push_back('\r');
  decoder_.feed(framed, [&](const slcan::Output& o) {
    if (o.kind == slcan::Output::Kind::frame) {
      tx.push_back(o.frame);
      got = true;
    }
  });
  return got;
}

std::string SlcanAdapter::forward(const CanFrame& frame) const {
  if (!open_) return {};
  return slcan::encode_frame(frame);
}

}  // namespace essd::sim
