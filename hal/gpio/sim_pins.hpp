// SPDX-License-Identifier: MIT
#pragma once
// Simulated pins for --sim, tests and unconfigured outputs: an output that
// records its level (and reports changes to an optional callback, e.g. a
// log line), an input whose level tests or the terminal set.
#include <functional>
#include <string>

#include "hal/gpio/input_pin.hpp"
#include "hal/gpio/output_pin.hpp"

namespace essd::hal {

class SimOutputPin final : public OutputPin {
 public:
  using Log = std::function<void(const std::string& name, bool active)>;
  explicit SimOutputPin(std::string name, Log on_change = {})
      : name_(std::move(name)), log_(std::move(on_change)) {}
  void set(bool active) override;
  void force_safe() noexcept override { level_ = false; }  // no log: may run in a signal handler
  bool get() const override { return level_; }
  std::string describe() const override { return "sim output " + name_; }
  int changes() const { return changes_; }

 private:
  std::string name_;
  Log log_;
  bool level_ = false;  // starts inactive: the safe level
  int changes_ = 0;
};

class SimInputPin final : public InputPin {
 public:
  explicit SimInputPin(std::string name, bool initial = false)
      : name_(std::move(name)), level_(initial) {}
  void start(ChangeHandler on_change) override { on_change_ = std::move(on_change); }
  void stop() override { on_change_ = nullptr; }
  bool get() const override { return level_; }
  std::string describe() const override { return "sim input " + name_; }
  /// Sets the (already debounced) level; reports a change when started.
  void set(bool active, MonoMs when);

 private:
  std::string name_;
  bool level_;
  ChangeHandler on_change_;
};

}  // namespace essd::hal
