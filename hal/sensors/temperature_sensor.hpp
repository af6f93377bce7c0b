// SPDX-License-Identifier: MIT
#pragma once
// Heatsink temperature source: a hwmon/thermal sysfs file in millidegrees, or
// the simulator. read_c() never blocks the loop (backends cache).
#include <optional>
#include <string>

namespace essd::hal {

class TemperatureSensor {
 public:
  virtual ~TemperatureSensor() = default;
  /// Latest reading in degC; nullopt when unreadable (counted as an error).
  virtual std::optional<double> read_c() = 0;
  virtual std::string describe() const = 0;
};

}  // namespace essd::hal
