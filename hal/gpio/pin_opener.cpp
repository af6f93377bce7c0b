// SPDX-License-Identifier: MIT
#include "hal/gpio/pin_opener.hpp"

#include "hal/gpio/gpiod_line.hpp"

namespace essd::hal {

std::unique_ptr<OutputPin> GpiodPinOpener::output(const LineSpec& spec, std::string& error) {
  return GpiodOutputPin::open(spec, error);
}

std::unique_ptr<InputPin> GpiodPinOpener::input(const LineSpec& spec, InputFilter filter,
                                                std::string& error) {
  return GpiodInputPin::open(io_, spec, filter, error, clock_);
}

}  // namespace essd::hal
