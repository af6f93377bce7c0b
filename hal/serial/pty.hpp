// SPDX-License-Identifier: MIT
#pragma once
// The master side of a pseudo-terminal, for programs that play a serial
// device (ess-sim's SLCAN adapter): the host opens the slave path as it
// would a USB adapter's tty.
#include <string>

#include "hal/serial/tty.hpp"

namespace essd::hal {

/// Opens a new pty master (O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC), unlocks
/// its slave and sets both sides raw (no echo, no CR/LF translation). On
/// success `slave_path` names the slave (/dev/pts/N); on failure returns an
/// empty UniqueFd and `error` names the call that failed and why.
UniqueFd open_pty_master(std::string& slave_path, std::string& error);

/// Discards what is queued in both directions (tcflush TCIOFLUSH).
void flush_tty(int fd);

}  // namespace essd::hal
