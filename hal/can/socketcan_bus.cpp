// SPDX-License-Identifier: MIT
#include "hal/can/socketcan_bus.hpp"

#include <libsocketcan.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/netlink.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "essd/teardown.hpp"
#include "hal/serial/tty.hpp"

namespace essd::hal {

namespace asio = boost::asio;

namespace {

std::string can_errno_text(int err) {
  switch (err) {
    case EPERM:
    case EACCES:
      return "permission denied (needs CAP_NET_ADMIN)";
    case ENODEV:
      return "no such device";
    case EAFNOSUPPORT:
      return "AF_CAN not supported by this kernel";
    case 0:
      return "failed";
    default:
      return std::strerror(err);
  }
}

}  // namespace

std::vector<CanFilter> module_bus_filters() {
  // Every frame: the contract counts identifiers it does not define, remote
  // and extended frames (docs/codec.md), so the codec must see them. The
  // module bus carries nothing else worth sparing the loop from.
  return accept_all_filters();
}

std::vector<CanFilter> accept_all_filters() {
  return {{0, 0, false}, {0, 0, true}};
}

SocketCanBus::SocketCanBus(asio::io_context& io, std::string interface, int bitrate, int restart_ms,
                           SocketCanOptions options)
    : io_(io),
      interface_(std::move(interface)),
      bitrate_(bitrate),
      restart_ms_(restart_ms),
      options_(std::move(options)),
      retry_timer_(io),
      tx_timer_(io),
      restart_timer_(io) {
  if (interface_.empty() || interface_.size() >= IFNAMSIZ) {
    throw std::invalid_argument("SocketCAN: bad interface name '" + interface_ + "'");
  }
  if (bitrate_ < 0 || restart_ms_ < 0) {
    throw std::invalid_argument("SocketCAN: bitrate and restart_ms must be >= 0");
  }
}

SocketCanBus::~SocketCanBus() {
  essd::teardown_in_destructor("SocketCanBus", [this] { stop(); });
}

void SocketCanBus::start(FrameHandler on_frame, StateHandler on_state) {
  stop();
  on_frame_ = std::move(on_frame);
  on_state_ = std::move(on_state);
  running_ = true;
  reported_ = false;
  try_open();
}

void SocketCanBus::stop() {
  running_ = false;
  ++generation_;
  retry_timer_.cancel();
  tx_timer_.cancel();
  restart_timer_.cancel();
  sock_.reset();
  txq_.clear();
  write_wait_ = false;
  state_ = LinkState::down;
}

std::map<std::string, std::uint64_t> SocketCanBus::counters() const {
  return {
      {"rx_frames", rx_frames_},         {"tx_frames", tx_frames_},
      {"tx_dropped", tx_dropped_},       {"rx_errors", rx_errors_},
      {"error_frames", error_frames_},   {"rxq_overflow", rxq_overflow_},
      {"bus_off_count", bus_off_count_},
  };
}

void SocketCanBus::set_state(LinkState s, const std::string& detail) {
  if (s == state_ && reported_) return;
  state_ = s;
  reported_ = true;
  if (on_state_) on_state_(s, detail);
}

void SocketCanBus::configure_interface() {
  // The bitrate can only change while the interface is down. Any refusal
  // (EPERM without CAP_NET_ADMIN, EOPNOTSUPP on vcan) is noted, not fatal:
  // the interface may already be configured by systemd-networkd.
  config_note_.clear();
  const char* name = interface_.c_str();
  auto note = [this](const std::string& what) {
    if (!config_note_.empty()) config_note_ += "; ";
    config_note_ += what + ": " + can_errno_text(errno);
  };
  errno = 0;
  if (::can_do_stop(name) != 0) {
    note("cannot stop " + interface_ + " to configure it");
    return;
  }
  errno = 0;
  if (bitrate_ > 0 && ::can_set_bitrate(name, static_cast<__u32>(bitrate_)) != 0) {
    note("bitrate " + std::to_string(bitrate_) + " not set");
  }
  errno = 0;
  if (restart_ms_ > 0 && ::can_set_restart_ms(name, static_cast<__u32>(restart_ms_)) != 0) {
    note("restart-ms " + std::to_string(restart_ms_) + " not set");
  }
  errno = 0;
  if (::can_do_start(name) != 0) note("cannot start " + interface_);
}

// Filters, error frames and drop counts; "" or what failed.
std::string SocketCanBus::set_socket_options(int fd) const {
  std::vector<can_filter> filters;
  for (const auto& f : options_.filters) {
    // The EFF flag is always in the mask so a filter matches one kind only.
    const canid_t kind = f.extended ? CAN_EFF_FLAG : 0;
    const canid_t idmask = f.extended ? CAN_EFF_MASK : CAN_SFF_MASK;
    filters.push_back({(f.id & idmask) | kind, (f.mask & idmask) | CAN_EFF_FLAG});
  }
  const can_err_mask_t err_mask =
      CAN_ERR_BUSOFF | CAN_ERR_CRTL | CAN_ERR_RESTARTED | CAN_ERR_TX_TIMEOUT;
  const int one = 1;
  if (::setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, filters.empty() ? nullptr : filters.data(),
                   static_cast<socklen_t>(filters.size() * sizeof(can_filter))) != 0 ||
      ::setsockopt(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &err_mask, sizeof err_mask) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) != 0) {
    return interface_ + ": setsockopt: " + can_errno_text(errno);
  }
  return {};
}

LinkState SocketCanBus::initial_state() const {
  int st = 0;
  // Only hardware controllers (they have a sysfs `device` link) carry a CAN
  // state; on vcan libsocketcan would fail and print to stderr.
  std::error_code fs_ec;
  const bool hardware = std::filesystem::exists("/sys/class/net/" + interface_ + "/device", fs_ec);
  if (hardware && ::can_get_state(interface_.c_str(), &st) == 0) {
    if (st == CAN_STATE_BUS_OFF) return LinkState::bus_off;
    if (st == CAN_STATE_ERROR_PASSIVE) return LinkState::error_passive;
  }
  return LinkState::up;
}

void SocketCanBus::try_open() {
  if (!running_) return;
  auto fail = [this](const std::string& why) {
    set_state(LinkState::down, why);
    schedule_retry();
  };
  UniqueFd fd(::socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW));
  if (!fd) return fail(interface_ + ": " + can_errno_text(errno));
  const unsigned index = ::if_nametoindex(interface_.c_str());
  if (index == 0) return fail("no such device " + interface_);
  if (bitrate_ > 0 || restart_ms_ > 0) configure_interface();

  if (auto bad = set_socket_options(fd.get()); !bad.empty()) return fail(bad);
  sockaddr_can addr{};
  addr.can_family = AF_CAN;
  addr.can_ifindex = static_cast<int>(index);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return fail(interface_ + ": bind: " + can_errno_text(errno));
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, interface_.c_str(), interface_.size());
  if (::ioctl(fd.get(), SIOCGIFFLAGS, &ifr) != 0 || !(ifr.ifr_flags & IFF_UP)) {
    return fail("interface " + interface_ + " is down");
  }

  const LinkState initial = initial_state();
  ++generation_;
  boost::system::error_code ec;
  sock_.emplace(io_);
  sock_->assign(fd.release(), ec);
  if (ec) {
    sock_.reset();
    return fail(interface_ + ": " + ec.message());
  }
  last_ovfl_ = 0;
  std::string detail = interface_ + " " + std::string(to_string(initial));
  if (!config_note_.empty()) detail += " (" + config_note_ + ")";
  set_state(initial, detail);
  wait_readable();
}

void SocketCanBus::schedule_retry() {
  retry_timer_.expires_after(options_.retry_interval);
  retry_timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    try_open();
  }));
}

void SocketCanBus::close_socket(const std::string& why) {
  ++generation_;
  tx_timer_.cancel();
  restart_timer_.cancel();
  sock_.reset();
  tx_dropped_ += txq_.size();
  txq_.clear();
  write_wait_ = false;
  set_state(LinkState::down, why);
  schedule_retry();
}

void SocketCanBus::wait_readable() {
  sock_->async_wait(asio::posix::descriptor_base::wait_read,
                    lifetime_.guard([this, gen = generation_](boost::system::error_code ec) {
                      if (ec || gen != generation_ || !running_) return;
                      drain_socket();
                    }));
}

}  // namespace essd::hal
