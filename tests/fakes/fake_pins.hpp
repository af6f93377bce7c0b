// SPDX-License-Identifier: MIT
#pragma once
// Pin fakes: an OutputPin/InputPin pair that tests drive and inspect, and a
// PinOpener that hands them out instead of opening libgpiod lines.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "hal/gpio/pin_opener.hpp"

namespace essd::fakes {

class FakeOutputPin final : public hal::OutputPin {
 public:
  explicit FakeOutputPin(std::string name) : name_(std::move(name)) {}
  void set(bool active) override { level_ = active; }
  void force_safe() noexcept override {
    level_ = false;
    ++forced_;
  }
  bool get() const override { return level_; }
  std::string describe() const override { return "fake output " + name_; }
  int forced() const { return forced_; }

 private:
  std::string name_;
  bool level_ = false;
  int forced_ = 0;
};

class FakeInputPin final : public hal::InputPin {
 public:
  FakeInputPin(std::string name, hal::InputFilter filter)
      : name_(std::move(name)), filter_(filter) {}
  void start(ChangeHandler h) override { handler_ = std::move(h); }
  void stop() override { handler_ = nullptr; }
  bool get() const override { return level_; }
  std::string describe() const override { return "fake input " + name_; }
  int debounce_ms() const { return filter_.debounce_ms; }
  const hal::InputFilter& filter() const { return filter_; }

 private:
  std::string name_;
  hal::InputFilter filter_;
  bool level_ = false;
  ChangeHandler handler_;
};

/// Opens fake pins; lines whose text (as the spec prints it) is in `broken`
/// fail like a missing line.
class FakePinOpener final : public hal::PinOpener {
 public:
  std::set<std::string> broken;
  std::vector<hal::LineSpec> opened_outputs, opened_inputs;

  std::unique_ptr<hal::OutputPin> output(const hal::LineSpec& spec, std::string& error) override {
    if (broken.count(hal::to_string(spec))) {
      error = "GPIO line " + hal::to_string(spec) + " not found";
      return nullptr;
    }
    opened_outputs.push_back(spec);
    return std::make_unique<FakeOutputPin>(hal::to_string(spec));
  }
  std::unique_ptr<hal::InputPin> input(const hal::LineSpec& spec, hal::InputFilter filter,
                                       std::string& error) override {
    if (broken.count(hal::to_string(spec))) {
      error = "GPIO line " + hal::to_string(spec) + " not found";
      return nullptr;
    }
    opened_inputs.push_back(spec);
    return std::make_unique<FakeInputPin>(hal::to_string(spec), filter);
  }
};

}  // namespace essd::fakes
