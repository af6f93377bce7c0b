#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# systemd-analyze security: overall exposure of essd.service at most 1.5.
. "$(dirname "$0")/lib.sh"
assert_exposure essd.service 1.5
