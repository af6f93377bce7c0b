// SPDX-License-Identifier: MIT
#pragma once
// I2cDevice fake: records every transfer; can be told to fail some.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hal/lcd/i2c_device.hpp"

namespace essd::fakes {

struct I2cLog {
  std::vector<std::vector<std::uint8_t>> transfers;  // successful ones, in order
  int attempts = 0;
  int fail_from = -1;  // attempts with index in [fail_from, fail_until) fail
  int fail_until = -1;
};

class FakeI2cDevice final : public hal::I2cDevice {
 public:
  explicit FakeI2cDevice(std::shared_ptr<I2cLog> log) : log_(std::move(log)) {}
  bool write(std::span<const std::uint8_t> bytes, std::string& error) override {
    const int n = log_->attempts++;
    if (n >= log_->fail_from && n < log_->fail_until) {
      error = "fake NACK";
      return false;
    }
    log_->transfers.emplace_back(bytes.begin(), bytes.end());
    return true;
  }
  std::string describe() const override { return "fake-i2c"; }

 private:
  std::shared_ptr<I2cLog> log_;
};

}  // namespace essd::fakes
