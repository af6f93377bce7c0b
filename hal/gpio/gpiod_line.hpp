// SPDX-License-Identifier: MIT
#pragma once
// libgpiod 1.6 backends for OutputPin and InputPin. Every libgpiod call of
// essd lives in gpiod_line.cpp, so the move to libgpiod v2 touches one file
// pair.
//
// Safety (docs/panel.md "GPIO wiring"): an output is requested driving its
// inactive (safe) level, with the bias pulling toward that level where the
// chip supports it. When the daemon exits or crashes the kernel releases the
// line with the process's fds; the board must hold the safe level with a
// pull resistor (the relay/contactor driver is off at the pulled level), as
// gpio-sim does with its pull setting. Requested lines are owned by the pin
// object (RAII): destruction releases them.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "essd/lifetime.hpp"
#include "hal/gpio/debouncer.hpp"
#include "hal/gpio/input_pin.hpp"
#include "hal/gpio/interlock_filter.hpp"
#include "hal/gpio/line_spec.hpp"
#include "hal/gpio/output_pin.hpp"

struct gpiod_line;

namespace essd::hal {

/// A requested libgpiod line (chip handle plus line), closed on destruction.
class GpiodLine {
 public:
  GpiodLine(GpiodLine&&) noexcept;
  GpiodLine& operator=(GpiodLine&&) noexcept;
  ~GpiodLine();
  gpiod_line* get() const { return line_; }

  /// Finds the line; nullptr-free result or `error` set.
  static std::unique_ptr<GpiodLine> find(const LineSpec& spec, std::string& error);

 private:
  GpiodLine() = default;
  struct ChipCloser {
    void operator()(void* chip) const;
  };
  std::unique_ptr<void, ChipCloser> chip_;
  gpiod_line* line_ = nullptr;
};

class GpiodOutputPin final : public OutputPin {
  // Only open() can name this, so only open() makes one; the constructor
  // that takes it is public for make_unique.
  struct Opened {
    explicit Opened() = default;
  };

 public:
  GpiodOutputPin(Opened, LineSpec spec, std::unique_ptr<GpiodLine> line);
  /// nullptr with `error` set when the line cannot be found or requested.
  static std::unique_ptr<GpiodOutputPin> open(const LineSpec& spec, std::string& error);
  void set(bool active) override;
  void force_safe() noexcept override;
  bool get() const override { return level_; }
  std::string describe() const override;
  std::uint64_t errors() const { return errors_; }

 private:
  LineSpec spec_;
  std::unique_ptr<GpiodLine> line_;
  bool level_ = false;
  std::uint64_t errors_ = 0;
};

/// The caller's MonoMs clock (the daemon counts from its start); empty =
/// milliseconds of std::chrono::steady_clock since its epoch.
using MonoClock = std::function<MonoMs()>;

class GpiodInputPin final : public InputPin {
  // Only open() can name this, so only open() makes one; the constructor
  // that takes it is public for make_unique.
  struct Opened {
    explicit Opened() = default;
  };

 public:
  GpiodInputPin(Opened, boost::asio::io_context& io, LineSpec spec, std::unique_ptr<GpiodLine> line,
                int fd, InputFilter filter, bool initial, MonoClock clock);
  /// Changes are reported with `when` on `clock`: the kernel's edge
  /// timestamp (CLOCK_MONOTONIC) shifted into the caller's time base.
  static std::unique_ptr<GpiodInputPin> open(boost::asio::io_context& io, const LineSpec& spec,
                                             InputFilter filter, std::string& error,
                                             MonoClock clock = {});
  ~GpiodInputPin() override;
  void start(ChangeHandler on_change) override;
  void stop() override;
  bool get() const override;
  bool failed() const override { return failed_; }
  std::string describe() const override;
  std::uint64_t errors() const { return errors_; }

 private:
  void wait_event();
  void on_readable();
  MonoMs drain_edges();  // the last edge's time, -1 if none
  std::optional<bool> read_level();
  void on_timer();
  void arm_timer();
  std::optional<MonoMs> deadline() const;
  void report(bool level, MonoMs steady_when);
  static MonoMs now_ms();

  LineSpec spec_;
  std::unique_ptr<GpiodLine> line_;
  boost::asio::posix::stream_descriptor sd_;  // libgpiod owns the fd: released, not closed
  boost::asio::steady_timer timer_;
  InputFilter filter_;
  Debouncer debouncer_;        // Kind::button
  InterlockFilter interlock_;  // Kind::interlock
  ChangeHandler on_change_;
  MonoClock clock_;
  bool running_ = false;
  bool failed_ = false;
  Lifetime lifetime_;  // guards the handlers that capture this
  std::uint64_t errors_ = 0;
};

}  // namespace essd::hal
