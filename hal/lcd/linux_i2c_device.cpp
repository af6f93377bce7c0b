// SPDX-License-Identifier: MIT
#include "hal/lcd/linux_i2c_device.hpp"
#include "essd/errno_text.hpp"

#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace essd::hal {
namespace {

int smbus_send_byte(int fd, std::uint8_t value) {
  i2c_smbus_ioctl_data args{};
  args.read_write = I2C_SMBUS_WRITE;
  args.command = value;  // "send byte": the value travels in the command field
  args.size = I2C_SMBUS_BYTE;
  args.data = nullptr;
  return ::ioctl(fd, I2C_SMBUS, &args);
}

}  // namespace

std::unique_ptr<LinuxI2cDevice> LinuxI2cDevice::open(const std::string& bus, int address,
                                                     std::string& error) {
  if (address < 0x03 || address > 0x77) {
    error = "I2C address " + std::to_string(address) + " outside 0x03-0x77";
    return nullptr;
  }
  UniqueFd fd(::open(bus.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK));
  if (!fd) {
    error = errno_text(bus);
    return nullptr;
  }
  unsigned long funcs = 0;
  if (::ioctl(fd.get(), I2C_FUNCS, &funcs) < 0 || ::ioctl(fd.get(), I2C_SLAVE, address) < 0) {
    error = errno_text(bus + " I2C_FUNCS/I2C_SLAVE");
    return nullptr;
  }
  const bool plain = funcs & I2C_FUNC_I2C;
  if (!plain && !(funcs & I2C_FUNC_SMBUS_WRITE_BYTE)) {
    error = bus + ": adapter does neither I2C writes nor SMBus send-byte";
    return nullptr;
  }
  return std::make_unique<LinuxI2cDevice>(Opened{}, std::move(fd), bus, address, !plain);
}

LinuxI2cDevice::~LinuxI2cDevice() = default;

bool LinuxI2cDevice::write(std::span<const std::uint8_t> bytes, std::string& error) {
  if (smbus_only_) {
    for (std::uint8_t b : bytes) {
      if (smbus_send_byte(fd_.get(), b) < 0) {
        error = errno_text(describe() + " send byte");
        return false;
      }
    }
    return true;
  }
  const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
  if (n != static_cast<ssize_t>(bytes.size())) {
    error = n < 0 ? errno_text(describe() + " write") : describe() + ": short write";
    return false;
  }
  return true;
}

std::string LinuxI2cDevice::describe() const {
  char addr[8];
  std::snprintf(addr, sizeof addr, "0x%02x", address_);
  return bus_ + "@" + addr;
}

}  // namespace essd::hal
