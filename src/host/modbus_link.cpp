// SPDX-License-Identifier: MIT
#include "host/modbus_link.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "essd/teardown.hpp"
#include "essd/version.hpp"
#include "hal/serial/tty.hpp"

namespace essd::host {
namespace {

constexpr auto kReopenInterval = std::chrono::seconds(1);
constexpr std::size_t kMaxQueuedReplies = 8;  // a master waits for each reply; more is junk

hal::Parity parity_of(const std::string& p) {
  if (p == "even") return hal::Parity::even;
  if (p == "odd") return hal::Parity::odd;
  return hal::Parity::none;
}

}  // namespace

ModbusLink::ModbusLink(boost::asio::io_context& io, const HostModbusConfig& config,
                       std::string model_name)
    : config_(config),
      slave_(ModbusSlaveOptions{static_cast<std::uint8_t>(config.unit), config.allow_writes}),
      sd_(io),
      silence_timer_(io),
      reopen_timer_(io),
      connect_timer_(io),
      silence_(rtu_silence(config.baud)) {
  identity_.manufacturer = config.manufacturer;
  identity_.model = std::move(model_name);
  identity_.version = std::string(kVersion);
  identity_.serial = config.serial;
  identity_.device_address = static_cast<std::uint16_t>(config.unit);
  slave_.set_image(build_sunspec_image(snapshot_, identity_, slave_.writable()));
}

ModbusLink::~ModbusLink() {
  essd::teardown_in_destructor("ModbusLink", [this] { stop(); });
  lifetime_.end();
}

void ModbusLink::start() {
  if (running_) return;
  running_ = true;
  try_open();
}

void ModbusLink::stop() {
  if (!running_) return;
  running_ = false;
  reopen_timer_.cancel();
  connect_timer_.cancel();
  close_device();
}

void ModbusLink::update(const SystemSnapshot& snapshot) {
  snapshot_ = snapshot;
  identity_.options = std::string(to_string(snapshot.topology));
  slave_.set_image(build_sunspec_image(snapshot_, identity_, slave_.writable()));
}

void ModbusLink::on_set_op(std::function<void(bool disconnect)> callback) {
  on_set_op_ = std::move(callback);
}

MonoMs ModbusLink::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void ModbusLink::try_open() {
  if (!running_ || open_) return;
  std::string why;
  // Exclusive (TIOCEXCL), raw, 8 data bits, the configured parity, 1 stop bit.
  UniqueFd fd = hal::open_tty(config_.device, config_.baud, parity_of(config_.parity), why);
  if (fd) {
    boost::system::error_code ec;
    sd_.assign(fd.release(), ec);  // sd_ owns and closes the fd from here
    if (ec) why = config_.device + ": cannot watch the tty: " + ec.message();
  }
  if (!why.empty()) {
    ++open_failures_;
    if (!open_failed_reported_) {  // one event per outage, not one per retry
      open_failed_reported_ = true;
      event(Severity::warning, "modbus_open_failed", "host Modbus " + why);  // why names the device
    }
    schedule_reopen();
    return;
  }
  open_ = true;
  open_failed_reported_ = false;
  ++opens_;
  framer_ = RtuFramer{};
  event(Severity::info, "modbus_open",
        "host Modbus RTU slave on " + config_.device + " unit " + std::to_string(config_.unit));
  start_read();
}

void ModbusLink::schedule_reopen() {
  if (!running_) return;
  reopen_timer_.expires_after(kReopenInterval);
  reopen_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    try_open();
  }));
}

void ModbusLink::close_device() {
  ++generation_;  // completions of the old session are ignored from here on
  silence_timer_.cancel();
  silence_armed_ = false;
  boost::system::error_code ignored;
  if (sd_.is_open()) sd_.close(ignored);
  tx_.clear();
  writing_ = false;
  framer_ = RtuFramer{};
  open_ = false;
}

void ModbusLink::device_lost(const std::string& why) {
  ++link_errors_;
  event(Severity::warning, "modbus_lost", "host Modbus " + config_.device + " lost: " + why);
  close_device();
  schedule_reopen();
}

void ModbusLink::start_read() {
  const std::uint64_t gen = generation_;
  sd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 lifetime_.guard([this, gen](const boost::system::error_code& ec) {
                   if (gen != generation_ || ec == boost::asio::error::operation_aborted) {
                     return;
                   }
                   if (ec) {
                     device_lost(ec.message());
                     return;
                   }
                   if (!read_available(true)) return;  // lost and closed
                   start_read();
                 }));
}

bool ModbusLink::read_available(bool woke_readable) {
  // libmodbus sets VMIN = VTIME = 0, so read() returns 0 both for "no data"
  // and for a hung-up line; poll() tells them apart.
  // At most a few reads per wake-up so that a flooding device cannot starve
  // the loop; the rest is read on the next readiness.
  constexpr int kMaxReadsPerWake = 8;
  std::size_t got = 0;
  for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
    const ssize_t n = ::read(sd_.native_handle(), rx_.data(), rx_.size());
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      const std::uint64_t gen = generation_;
      on_bytes(rx_.data(), static_cast<std::size_t>(n));
      if (gen != generation_) return false;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      device_lost(std::strerror(errno));
      return false;
    }
    break;
  }
  if (got == 0 && woke_readable) {
    pollfd p{sd_.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 0) >= 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
      device_lost("hang-up");
      return false;
    }
  }
  return true;
}

void ModbusLink::on_bytes(const std::uint8_t* data, std::size_t len) {
  for (const auto& frame : framer_.feed(data, len)) process(frame);
  if (framer_.pending()) arm_silence();
}

void ModbusLink::arm_silence() {
  // Restart the silence interval on every byte burst: the frame ends only
  // after 3.5 characters without any byte.
  silence_armed_ = true;
  silence_timer_.expires_after(silence_);
  const std::uint64_t gen = generation_;
  const std::uint64_t seq = ++silence_seq_;
  silence_timer_.async_wait(lifetime_.guard([this, gen, seq](const boost::system::error_code& ec) {
    if (gen != generation_ || seq != silence_seq_ || ec == boost::asio::error::operation_aborted) {
      return;
    }
    on_silence_timer();
  }));
}

void ModbusLink::on_silence_timer() {
  silence_armed_ = false;
  // Bytes that arrived but whose read readiness was not yet handled are not
  // silence: drain them first (this re-arms the timer if any came).
  const std::uint64_t gen = generation_;
  if (!read_available(false) || gen != generation_) return;
  if (silence_armed_) return;
  if (auto frame = framer_.on_silence()) process(*frame);
}

void ModbusLink::process(const std::vector<std::uint8_t>& frame) {
  if (source_) update(source_());  // the state now, not the last tick's
  auto reply = slave_.handle(frame.data(), frame.size());
  apply_writes();
  if (reply) queue_reply(std::move(*reply));
}

void ModbusLink::apply_writes() {
  for (const HostWrite& w : slave_.take_writes()) {
    switch (w.point) {
      case HostWrite::Point::set_op:
        on_set_op_write(w.value == kSetOpDisconnect);
        break;
      case HostWrite::Point::alm_rst:
        if (w.value == 1) {
          event(Severity::info, "alarm_reset",
                "host Modbus AlmRst: acknowledged (latches clear only by their conditions)");
        }
        break;
      case HostWrite::Point::ctrl_hb:
        break;  // read back only; hosts write it every cycle
    }
  }
}

void ModbusLink::on_set_op_write(bool disconnect) {
  const MonoMs t = now_ms();
  const bool changed = gate_.write(disconnect, t);
  if (disconnect != last_set_op_disconnect_) {
    last_set_op_disconnect_ = disconnect;
    if (disconnect) {
      event(Severity::warning, "set_op_disconnect",
            "host Modbus SetOp DISCONNECT: both paths open");
    } else if (changed) {
      event(Severity::info, "set_op_connect", "host Modbus SetOp CONNECT: paths may close again");
    } else {
      event(Severity::info, "set_op_connect_wait",
            "host Modbus SetOp CONNECT: takes effect 5 s after the DISCONNECT it ends (in " +
                std::to_string(*gate_.deadline() - t) + " ms)");
    }
  }
  if (changed && on_set_op_) on_set_op_(gate_.disconnected());
  arm_connect_timer();
}

void ModbusLink::restore_disconnect() {
  gate_ = SetOpGate::restored_disconnect(now_ms());
  last_set_op_disconnect_ = true;
}

void ModbusLink::arm_connect_timer() {
  const auto due = gate_.deadline();
  if (!due) {
    connect_timer_.cancel();
    return;
  }
  connect_timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(*due)));
  connect_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!gate_.poll(now_ms())) {
      arm_connect_timer();
      return;
    }
    event(Severity::info, "set_op_connect", "host Modbus SetOp CONNECT: paths may close again");
    if (on_set_op_) on_set_op_(false);
  }));
}

void ModbusLink::queue_reply(std::vector<std::uint8_t> reply) {
  if (!open_) return;
  if (tx_.size() >= kMaxQueuedReplies) {
    ++tx_dropped_;
    return;
  }
  tx_.push_back(std::move(reply));
  if (!writing_) start_write();
}

void ModbusLink::start_write() {
  if (tx_.empty() || !open_) return;
  writing_ = true;
  const std::uint64_t gen = generation_;
  boost::asio::async_write(
      sd_, boost::asio::buffer(tx_.front()),
      lifetime_.guard([this, gen](const boost::system::error_code& ec, std::size_t) {
        if (gen != generation_ || ec == boost::asio::error::operation_aborted) {
          return;
        }
        writing_ = false;
        if (ec) {
          ++tx_errors_;
          device_lost("write: " + ec.message());
          return;
        }
        tx_.pop_front();
        start_write();
      }));
}

void ModbusLink::event(Severity sev, std::string cause, std::string message) {
  events_.add(sev, std::move(cause), std::move(message), now_ms());
}

std::vector<Event> ModbusLink::take_events() {
  return events_.take();
}

std::map<std::string, std::int64_t> ModbusLink::counters() const {
  const ModbusSlaveCounters& s = slave_.counters();
  auto i = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  return {
      {"requests", i(s.requests)},
      {"replies", i(s.replies)},
      {"exceptions", i(s.exceptions)},
      {"crc_errors", i(s.crc_errors)},
      {"malformed", i(s.malformed)},
      {"overruns", i(framer_.overruns())},
      {"dropped", i(s.crc_errors + s.malformed + framer_.overruns())},
      {"other_unit", i(s.other_unit)},
      {"broadcasts", i(s.broadcasts)},
      {"writes", i(s.writes)},
      {"open", open_ ? 1 : 0},
      {"opens", i(opens_)},
      {"open_failures", i(open_failures_)},
      {"link_errors", i(link_errors_)},
      {"tx_errors", i(tx_errors_)},
      {"tx_dropped", i(tx_dropped_)},
  };
}

}  // namespace essd::host
