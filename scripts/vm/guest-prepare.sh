# SPDX-License-Identifier: MIT
# Kernel interfaces for the tests (appended after the I2C/GPIO_SIM_KO lines).
set -e
modprobe -a configfs can can-raw vcan i2c-dev
if [ -s "$GPIO_SIM_KO" ]; then
  deps=$(modinfo -F depends "$GPIO_SIM_KO" | tr , ' ')
  [ -z "$deps" ] || modprobe -a $deps
  grep -q '^gpio_sim ' /proc/modules || insmod "$GPIO_SIM_KO"
else
  echo "no gpio-sim.ko at $GPIO_SIM_KO (scripts/vm/run-in-vm --setup)" >&2
fi
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug || true
[ -z "$I2C" ] || modprobe i2c-stub chip_addr="$I2C"
ip link set lo up
ip link add dev vcan0 type vcan
ip link set up vcan0
