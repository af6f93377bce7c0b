// SPDX-License-Identifier: MIT
#pragma once
// I2cDevice on /dev/i2c-N (i2c-dev): ioctl(I2C_SLAVE, address), then one
// write() per transfer where the adapter does plain I2C, or one SMBus
// "send byte" per byte where it only does SMBus (i2c-stub, some SoC
// controllers); a PCF8574 takes either. i2c-dev transfers are synchronous
// whatever O_NONBLOCK says; the caller bounds the bytes per call.
#include <memory>
#include <string>

#include "essd/unique_fd.hpp"
#include "hal/lcd/i2c_device.hpp"

namespace essd::hal {

class LinuxI2cDevice final : public I2cDevice {
  // Only open() can name this, so only open() makes a device; the
  // constructor that takes it is public for make_unique.
  struct Opened {
    explicit Opened() = default;
  };

 public:
  /// nullptr with `error` set when the bus cannot be opened or addressed.
  static std::unique_ptr<LinuxI2cDevice> open(const std::string& bus, int address,
                                              std::string& error);
  LinuxI2cDevice(Opened, UniqueFd fd, std::string bus, int address, bool smbus_only)
      : fd_(std::move(fd)), bus_(std::move(bus)), address_(address), smbus_only_(smbus_only) {}
  ~LinuxI2cDevice() override;
  LinuxI2cDevice(const LinuxI2cDevice&) = delete;
  LinuxI2cDevice& operator=(const LinuxI2cDevice&) = delete;

  bool write(std::span<const std::uint8_t> bytes, std::string& error) override;
  std::string describe() const override;
  bool smbus_only() const { return smbus_only_; }

 private:
  UniqueFd fd_;
  std::string bus_;
  int address_;
  bool smbus_only_;
};

}  // namespace essd::hal
