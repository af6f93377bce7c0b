// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "hal/can/make_can_bus.hpp"

namespace essd::hal {
namespace {

TEST(MakeCanBus, BuildsEachTransportAndRejectsBadArguments) {
  boost::asio::io_context io;
  std::string error;
  auto s = make_can_bus(io, "socketcan", "vcan0", "", 0, 0, 0, error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->describe(), "socketcan:vcan0");
  auto l = make_can_bus(io, "slcan", "", "/dev/ttyACM0", 115200, 500000, 0, error);
  ASSERT_TRUE(l) << error;
  EXPECT_EQ(l->describe(), "slcan:/dev/ttyACM0");
  EXPECT_EQ(l->state(), LinkState::down);  // nothing happens before start()

  EXPECT_FALSE(make_can_bus(io, "usb", "can0", "", 0, 0, 0, error));
  EXPECT_EQ(error, "unknown CAN transport 'usb' (expected socketcan or slcan)");
  EXPECT_FALSE(make_can_bus(io, "slcan", "", "/dev/ttyACM0", 1234, 500000, 0, error));
  EXPECT_EQ(error, "SLCAN: unsupported baud rate 1234");
  EXPECT_FALSE(make_can_bus(io, "slcan", "", "/dev/ttyACM0", 115200, 333333, 0, error));
  EXPECT_EQ(error, "SLCAN: unsupported bitrate 333333");
  EXPECT_FALSE(make_can_bus(io, "socketcan", "", "", 0, 0, 0, error));
  EXPECT_EQ(error, "SocketCAN: bad interface name ''");
  EXPECT_FALSE(make_can_bus(io, "socketcan", "averyveryverylongname", "", 0, 0, 0, error));
}

}  // namespace
}  // namespace essd::hal
