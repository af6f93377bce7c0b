#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs bench_e2e inside scripts/vm/run-in-vm (scripts/bench does it): vcan0 for the
# module bus, and a gpio-sim chip for the charge path so that the interlock
# latency is also timed to the GPIO line. Usage: vm_e2e.sh BUILD_DIR
set -euo pipefail
B=$1
chip_dir=/sys/kernel/config/gpio-sim/essd-bench-$$
args=()
if [ -d /sys/kernel/config/gpio-sim ]; then
  mkdir "$chip_dir" "$chip_dir/gpio-bank0"
  trap 'echo 0 > "$chip_dir/live"; rmdir "$chip_dir/gpio-bank0" "$chip_dir"' EXIT
  echo 8 >"$chip_dir/gpio-bank0/num_lines"
  echo 1 >"$chip_dir/live"
  chip=$(cat "$chip_dir/gpio-bank0/chip_name")
  args=(--gpio-chip "$chip"
    --gpio-value "/sys/devices/platform/$(cat "$chip_dir/dev_name")/$chip/sim_gpio0/value")
fi
"$B/bench/bench_e2e" --essd "$B/bin/essd" --essctl "$B/bin/essctl" --can vcan0 --trials 1000 \
  --startups 5 --load-s 10 --rate 8000 "${args[@]}"
