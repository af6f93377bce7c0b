// SPDX-License-Identifier: MIT
#pragma once
// One digital input (DISP button, SW ON, hard-wired CHG/DIS/OV lines).
// Changes arrive as callbacks on the io_context thread, already filtered:
// the button is debounced both ways (Debouncer); an interlock input goes to
// its unsafe level at once and back to safe only after the window
// (InterlockFilter, docs/core.md "Hard-wired inputs").
#include <functional>
#include <string>

#include "essd/time.hpp"

namespace essd::hal {

/// How an input's level is filtered.
struct InputFilter {
  enum class Kind { button, interlock };
  Kind kind = Kind::button;
  int debounce_ms = 30;       // panel.debounce_ms
  bool unsafe_level = false;  // interlock: the logical level that blocks
  bool operator==(const InputFilter&) const = default;

  static InputFilter button(int ms) { return {Kind::button, ms, false}; }
  static InputFilter interlock(int ms, bool unsafe) { return {Kind::interlock, ms, unsafe}; }
};

class InputPin {
 public:
  using ChangeHandler = std::function<void(bool active, MonoMs when)>;
  virtual ~InputPin() = default;
  virtual void start(ChangeHandler on_change) = 0;
  virtual void stop() = 0;
  virtual bool get() const = 0;  // logical level, active-low applied
  /// True once the input can no longer be watched (its event fd failed); an
  /// interlock input then reads its unsafe level for good.
  virtual bool failed() const { return false; }
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
