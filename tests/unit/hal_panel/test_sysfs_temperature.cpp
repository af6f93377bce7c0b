// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "hal/sensors/sysfs_temperature.hpp"

namespace essd::hal {
namespace {

struct TempFile {
  std::string path;
  TempFile() {
    char tmpl[] = "/tmp/essd-temp-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd >= 0) ::close(fd);
    path = tmpl;
  }
  ~TempFile() { ::unlink(path.c_str()); }
  void write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
};

TEST(SysfsTemperature, Parse) {
  EXPECT_EQ(SysfsTemperatureSensor::parse_millidegrees("41500\n"), 41.5);
  EXPECT_EQ(SysfsTemperatureSensor::parse_millidegrees("-12000"), -12.0);
  EXPECT_EQ(SysfsTemperatureSensor::parse_millidegrees("0\n"), 0.0);
  for (const char* bad : {"", "\n", "abc", "41.5", "41500 x", "99999999999"}) {
    EXPECT_EQ(SysfsTemperatureSensor::parse_millidegrees(bad), std::nullopt) << bad;
  }
}

TEST(SysfsTemperature, ReadsFreshValueEachCall) {
  TempFile f;
  f.write("41500\n");
  SysfsTemperatureSensor s(f.path);
  EXPECT_EQ(s.read_c(), 41.5);
  f.write("86250\n");  // the same fd sees the new content (pread at offset 0)
  EXPECT_EQ(s.read_c(), 86.25);
  EXPECT_EQ(s.errors(), 0u);
  EXPECT_EQ(s.describe(), "sysfs " + f.path);
}

TEST(SysfsTemperature, ErrorsAreCountedAndRecovered) {
  TempFile f;
  SysfsTemperatureSensor s(f.path);
  f.write("garbage\n");
  EXPECT_EQ(s.read_c(), std::nullopt);
  EXPECT_EQ(s.errors(), 1u);
  f.write("");
  EXPECT_EQ(s.read_c(), std::nullopt);
  EXPECT_EQ(s.errors(), 2u);
  f.write("30000\n");
  EXPECT_EQ(s.read_c(), 30.0);

  SysfsTemperatureSensor missing("/nonexistent/temp1_input");
  EXPECT_EQ(missing.read_c(), std::nullopt);
  EXPECT_EQ(missing.read_c(), std::nullopt);
  EXPECT_EQ(missing.errors(), 2u);
  EXPECT_NE(missing.last_error().find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace essd::hal
