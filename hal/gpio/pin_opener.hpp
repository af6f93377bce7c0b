// SPDX-License-Identifier: MIT
#pragma once
// Opens one configured line as a pin: the seam between the daemon's panel
// wiring (src/daemon/panel_pins.hpp, which knows what each pin is for) and
// the GPIO backends. Tests hand out fakes instead (tests/fakes/fake_pins.hpp).
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "essd/time.hpp"
#include "hal/gpio/input_pin.hpp"
#include "hal/gpio/line_spec.hpp"
#include "hal/gpio/output_pin.hpp"

namespace essd::hal {

class PinOpener {
 public:
  virtual ~PinOpener() = default;
  /// nullptr and `error` set when the line cannot be opened.
  virtual std::unique_ptr<OutputPin> output(const LineSpec& spec, std::string& error) = 0;
  virtual std::unique_ptr<InputPin> input(const LineSpec& spec, InputFilter filter,
                                          std::string& error) = 0;
};

/// Real lines through libgpiod. `clock`: the time base of the inputs' change
/// reports (empty: steady_clock milliseconds since its epoch).
class GpiodPinOpener final : public PinOpener {
 public:
  GpiodPinOpener(boost::asio::io_context& io, std::function<MonoMs()> clock)
      : io_(io), clock_(std::move(clock)) {}
  std::unique_ptr<OutputPin> output(const LineSpec& spec, std::string& error) override;
  std::unique_ptr<InputPin> input(const LineSpec& spec, InputFilter filter,
                                  std::string& error) override;

 private:
  boost::asio::io_context& io_;
  std::function<MonoMs()> clock_;
};

}  // namespace essd::hal
