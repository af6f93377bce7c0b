#pragma once
// One digital input (DISP button, SW ON, hard-wired CHG/DIS/OV lines).
// Changes arrive as callbacks on the io_context thread, already debounced.
#include <functional>
#include <string>

#include "essd/time.hpp"

namespace essd::hal {

class InputPin {
 public:
  using ChangeHandler = std::function<void(bool active, MonoMs when)>;
  virtual ~InputPin() = default;
  virtual void start(ChangeHandler on_change) = 0;
  virtual void stop() = 0;
  virtual bool get() const = 0;  // logical level, active-low applied
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
