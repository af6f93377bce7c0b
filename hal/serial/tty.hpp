// SPDX-License-Identifier: MIT
#pragma once
// tty helpers for serial transports (SLCAN adapters, Modbus RTU): a
// non-blocking, exclusive, raw 8-bit open.
#include <string>

#include "essd/unique_fd.hpp"

namespace essd::hal {

enum class Parity { none, even, odd };

/// True for the standard rates 9600..4000000 that open_tty() accepts.
bool is_supported_baud(int baud);

/// Opens a tty O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC, takes it exclusively
/// (TIOCEXCL: a second open fails with EBUSY), and sets raw 8N1 at `baud`
/// without flow control. On failure returns an empty UniqueFd and a message
/// naming the path and the cause ("no such device", "permission denied",
/// "not a tty", "in use by another process", "unsupported baud rate").
UniqueFd open_tty(const std::string& path, int baud, std::string& error);
/// The same with a parity bit (8E1, 8O1; Parity::none is 8N1).
UniqueFd open_tty(const std::string& path, int baud, Parity parity, std::string& error);

}  // namespace essd::hal
