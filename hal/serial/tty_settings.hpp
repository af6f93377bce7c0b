// SPDX-License-Identifier: MIT
#pragma once
// The line settings open_tty() applies, apart so that a test can check them:
// a pty (where the tests run) ignores parity and always reads back CS8
// without PARENB.
#include <termios.h>

#include "hal/serial/tty.hpp"

namespace essd::hal {

/// Raw (cfmakeraw), 8 data bits, 1 stop bit, no flow control, the receiver
/// on, modem lines ignored, reads of at least 1 byte; with a parity bit the
/// parity is generated and checked (INPCK).
void set_raw_8bit(termios& tio, Parity parity);

}  // namespace essd::hal
