// SPDX-License-Identifier: MIT
#include "hal/sensors/sysfs_temperature.hpp"
#include "essd/errno_text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace essd::hal {

SysfsTemperatureSensor::SysfsTemperatureSensor(std::string path) : path_(std::move(path)) {}

SysfsTemperatureSensor::~SysfsTemperatureSensor() = default;

std::optional<double> SysfsTemperatureSensor::parse_millidegrees(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  // Beyond +-1000 degC is no heatsink reading but a broken driver.
  if (v < -1000000 || v > 1000000) return std::nullopt;
  return static_cast<double>(v) / 1000.0;
}

std::optional<double> SysfsTemperatureSensor::read_c() {
  if (!fd_) {
    fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd_) {
      ++errors_;
      last_error_ = errno_text(path_);
      return std::nullopt;
    }
  }
  char buf[32];
  const ssize_t n = ::pread(fd_.get(), buf, sizeof buf, 0);
  if (n <= 0 || static_cast<std::size_t>(n) == sizeof buf) {
    ++errors_;
    last_error_ = path_ + (n < 0 ? std::string(": ") + std::strerror(errno) : ": bad length");
    fd_.reset();  // reopen next time (a hwmon device may have been re-probed)
    return std::nullopt;
  }
  const auto v = parse_millidegrees(std::string_view(buf, static_cast<std::size_t>(n)));
  if (!v) {
    ++errors_;
    last_error_ = path_ + ": not millidegrees";
  }
  return v;
}

}  // namespace essd::hal
