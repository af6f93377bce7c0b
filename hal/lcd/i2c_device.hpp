// SPDX-License-Identifier: MIT
#pragma once
// The raw I2C access the HD44780 backend needs: write bytes to one slave.
// Real backend: LinuxI2cDevice (i2c-dev); tests: tests/fakes/fake_i2c_device.hpp.
#include <cstdint>
#include <span>
#include <string>

namespace essd::hal {

class I2cDevice {
 public:
  virtual ~I2cDevice() = default;
  /// Writes the bytes to the slave, in order; false with `error` set when the
  /// transfer failed (NACK, bus error, timeout).
  virtual bool write(std::span<const std::uint8_t> bytes, std::string& error) = 0;
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
