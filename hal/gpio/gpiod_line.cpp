// SPDX-License-Identifier: MIT
#include "hal/gpio/gpiod_line.hpp"
#include "essd/errno_text.hpp"
#include "essd/teardown.hpp"

#include <fcntl.h>
#include <gpiod.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace essd::hal {
namespace {

constexpr const char* kConsumer = "essd";

}  // namespace

void GpiodLine::ChipCloser::operator()(void* chip) const {
  if (chip) gpiod_chip_close(static_cast<gpiod_chip*>(chip));  // releases the line too
}

GpiodLine::GpiodLine(GpiodLine&&) noexcept = default;
GpiodLine& GpiodLine::operator=(GpiodLine&&) noexcept = default;
GpiodLine::~GpiodLine() = default;

std::unique_ptr<GpiodLine> GpiodLine::find(const LineSpec& spec, std::string& error) {
  std::unique_ptr<GpiodLine> l(new GpiodLine());  // private constructor: no make_unique
  if (spec.offset) {
    gpiod_chip* chip = gpiod_chip_open_lookup(spec.chip.c_str());
    if (!chip) {
      error = errno_text(("GPIO chip " + spec.chip).c_str());
      return nullptr;
    }
    l->chip_.reset(chip);
    l->line_ = gpiod_chip_get_line(chip, *spec.offset);
  } else {
    l->line_ = gpiod_line_find(spec.name.c_str());
    if (l->line_) l->chip_.reset(gpiod_line_get_chip(l->line_));
  }
  if (!l->line_) {
    error = "GPIO line " + to_string(spec) + " not found";
    return nullptr;
  }
  return l;
}

// ---- output ----------------------------------------------------------------

GpiodOutputPin::GpiodOutputPin(Opened, LineSpec spec, std::unique_ptr<GpiodLine> line)
    : spec_(std::move(spec)), line_(std::move(line)) {}

std::unique_ptr<GpiodOutputPin> GpiodOutputPin::open(const LineSpec& spec, std::string& error) {
  auto line = GpiodLine::find(spec, error);
  if (!line) return nullptr;
  int flags = spec.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
  // Bias toward the safe (inactive) physical level, so that the line rests
  // there whenever nobody drives it.
  const int bias = spec.active_low ? GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP
                                   : GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
  // Value 0 is logical: inactive, the safe level, from the first instant.
  if (gpiod_line_request_output_flags(line->get(), kConsumer, flags | bias, 0) != 0) {
    // A chip without bias support: request without it (the board's pull
    // resistor is what the safety relies on anyway).
    if (gpiod_line_request_output_flags(line->get(), kConsumer, flags, 0) != 0) {
      error = errno_text(("request GPIO output " + to_string(spec)).c_str());
      return nullptr;
    }
  }
  return std::make_unique<GpiodOutputPin>(Opened{}, spec, std::move(line));
}

void GpiodOutputPin::set(bool active) {
  if (gpiod_line_set_value(line_->get(), active ? 1 : 0) != 0) {
    ++errors_;
    return;  // level_ keeps what the line last accepted
  }
  level_ = active;
}

void GpiodOutputPin::force_safe() noexcept {
  // libgpiod 1.6: one GPIOHANDLE_SET_LINE_VALUES ioctl on the line's
  // request fd, data on the stack; nothing else.
  if (line_ && gpiod_line_set_value(line_->get(), 0) == 0) level_ = false;
}

std::string GpiodOutputPin::describe() const {
  return "gpiod output " + to_string(spec_);
}

// ---- input ----------------------------------------------------------------

std::unique_ptr<GpiodInputPin> GpiodInputPin::open(boost::asio::io_context& io,
                                                   const LineSpec& spec, InputFilter filter,
                                                   std::string& error, MonoClock clock) {
  auto line = GpiodLine::find(spec, error);
  if (!line) return nullptr;
  const int flags = spec.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
  if (gpiod_line_request_both_edges_events_flags(line->get(), kConsumer, flags) != 0) {
    error = errno_text(("request GPIO input " + to_string(spec)).c_str());
    return nullptr;
  }
  const int fd = gpiod_line_event_get_fd(line->get());
  const int level = gpiod_line_get_value(line->get());
  if (fd < 0 || level < 0) {
    error = errno_text(("read GPIO input " + to_string(spec)).c_str());
    return nullptr;
  }
  // Reads happen only after readiness, but a spurious wake-up must not block.
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl >= 0) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  return std::make_unique<GpiodInputPin>(Opened{}, io, spec, std::move(line), fd, filter,
                                         level == 1, std::move(clock));
}

GpiodInputPin::GpiodInputPin(Opened, boost::asio::io_context& io, LineSpec spec,
                             std::unique_ptr<GpiodLine> line, int fd, InputFilter filter,
                             bool initial, MonoClock clock)
    : spec_(std::move(spec)),
      line_(std::move(line)),
      sd_(io, fd),
      timer_(io),
      filter_(filter),
      debouncer_(filter.debounce_ms < 0 ? 0 : filter.debounce_ms, initial),
      interlock_(filter.debounce_ms, filter.unsafe_level, now_ms()),
      clock_(std::move(clock)) {
  // An interlock input starts unsafe; the level read at open starts its window.
  interlock_.on_level(initial, now_ms());
}

GpiodInputPin::~GpiodInputPin() {
  essd::teardown_in_destructor("GpiodInputPin", [this] { stop(); });
  sd_.release();  // the fd belongs to libgpiod; the chip close below releases it
}

bool GpiodInputPin::get() const {
  return filter_.kind == InputFilter::Kind::interlock ? interlock_.level() : debouncer_.stable();
}

MonoMs GpiodInputPin::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void GpiodInputPin::start(ChangeHandler on_change) {
  on_change_ = std::move(on_change);
  if (running_) return;
  running_ = true;
  if (!failed_) wait_event();
  arm_timer();  // an interlock input's first safe reading is pending
}

void GpiodInputPin::stop() {
  running_ = false;
  boost::system::error_code ec;
  sd_.cancel(ec);
  timer_.cancel();
  lifetime_.renew();  // handlers queued before do nothing
}

void GpiodInputPin::report(bool level, MonoMs steady_when) {
  if (!on_change_) return;
  // The filters run on the steady clock (the kernel's stamps); the report
  // is in the caller's time base.
  const MonoMs when = clock_ ? clock_() - (now_ms() - steady_when) : steady_when;
  on_change_(level, when);
}

void GpiodInputPin::wait_event() {
  sd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 lifetime_.guard([this](const boost::system::error_code& ec) {
                   if (ec == boost::asio::error::operation_aborted) return;
                   if (ec) {
                     // The fd is broken: a button keeps its last level, an
                     // interlock input counts as unsafe from now on.
                     ++errors_;
                     failed_ = true;
                     if (filter_.kind == InputFilter::Kind::interlock) {
                       if (auto c = interlock_.fail(now_ms())) report(c->level, c->when);
                       arm_timer();
                     }
                     return;
                   }
                   on_readable();
                   if (running_) wait_event();
                 }));
}

MonoMs GpiodInputPin::drain_edges() {
  // The queued edges. An interlock input acts on the first one at once (the
  // line may be back before its level can be read); the button only needs
  // the last edge's time.
  gpiod_line_event events[16];
  MonoMs last_edge = -1;
  const MonoMs now = now_ms();
  for (;;) {
    const int n = gpiod_line_event_read_fd_multiple(sd_.native_handle(), events, 16);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      ++errors_;
      if (filter_.kind == InputFilter::Kind::interlock) {
        if (auto c = interlock_.on_level(std::nullopt, now)) report(c->level, c->when);
      }
      break;
    }
    if (n <= 0) break;
    for (int k = 0; k < n; ++k) {
      // Kernel event stamps are CLOCK_MONOTONIC, the steady clock's base.
      const auto& ts = events[k].ts;
      MonoMs t = static_cast<MonoMs>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
      if (t < 0 || t > now) t = now;
      last_edge = t;
      if (filter_.kind == InputFilter::Kind::interlock) {
        if (auto c = interlock_.on_edge(t)) report(c->level, c->when);
      }
    }
    if (n < 16) break;
  }
  return last_edge;
}

std::optional<bool> GpiodInputPin::read_level() {
  const int level = gpiod_line_get_value(line_->get());
  if (level < 0) {
    ++errors_;
    return std::nullopt;
  }
  return level == 1;
}

void GpiodInputPin::on_readable() {
  const MonoMs last_edge = drain_edges();
  const auto level = read_level();
  const MonoMs now = now_ms();
  if (filter_.kind == InputFilter::Kind::interlock) {
    if (auto c = interlock_.on_level(level, now)) report(c->level, c->when);
  } else if (level) {
    // Read back, so active-low and missed edges are right; timed from the last edge.
    debouncer_.on_raw(*level, last_edge >= 0 ? last_edge : now);
  }
  arm_timer();
}

std::optional<MonoMs> GpiodInputPin::deadline() const {
  return filter_.kind == InputFilter::Kind::interlock ? interlock_.deadline()
                                                      : debouncer_.deadline();
}

void GpiodInputPin::arm_timer() {
  const auto due = deadline();
  if (!due || !running_) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(*due)));
  timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    on_timer();
  }));
}

void GpiodInputPin::on_timer() {
  if (filter_.kind == InputFilter::Kind::interlock) {
    // Before accepting the safe level: edges already queued but not yet
    // handled, and the level now, have the last word.
    if (!failed_) {
      drain_edges();
      if (auto c = interlock_.on_level(read_level(), now_ms())) report(c->level, c->when);
    }
    if (auto c = interlock_.poll(now_ms())) report(c->level, c->when);
  } else if (auto c = debouncer_.poll(now_ms())) {
    report(c->level, c->when);
  }
  arm_timer();
}

std::string GpiodInputPin::describe() const {
  return "gpiod input " + to_string(spec_);
}

}  // namespace essd::hal
