// SPDX-License-Identifier: MIT
#pragma once
// Heatsink temperature from a sysfs file in millidegrees Celsius (hwmon
// temp*_input, thermal_zone*/temp). Each read_c() is one small pread() at
// offset 0 of a kept-open fd: sysfs attributes are produced on read, so a
// fresh value each time, and no open() per tick. A failing file is reopened
// on the next call.
#include <cstdint>
#include <optional>
#include <string>

#include "hal/sensors/temperature_sensor.hpp"

#include "essd/unique_fd.hpp"

namespace essd::hal {

class SysfsTemperatureSensor final : public TemperatureSensor {
 public:
  explicit SysfsTemperatureSensor(std::string path);
  ~SysfsTemperatureSensor() override;
  SysfsTemperatureSensor(const SysfsTemperatureSensor&) = delete;
  SysfsTemperatureSensor& operator=(const SysfsTemperatureSensor&) = delete;

  std::optional<double> read_c() override;
  std::string describe() const override { return "sysfs " + path_; }
  std::uint64_t errors() const { return errors_; }
  std::string last_error() const { return last_error_; }

  /// "41500\n" -> 41.5; nullopt for anything but one integer and a newline.
  static std::optional<double> parse_millidegrees(std::string_view text);

 private:
  std::string path_;
  UniqueFd fd_;
  std::uint64_t errors_ = 0;
  std::string last_error_;
};

}  // namespace essd::hal
