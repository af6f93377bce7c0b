#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# essd's panel GPIO on a gpio-sim chip made through configfs: path outputs,
# LED, lamps and power hold read back from the simulator; DISP and SW ON
# driven by the simulator's pulls; after SIGKILL every output is back at its
# safe level (the discharge path is active-low to show both polarities).
. "$(dirname "$0")/lib.sh"

cfs=/sys/kernel/config/gpio-sim
[ -d "$cfs" ] || skip "no gpio-sim configfs"
chip_dir=$cfs/essd-vm-$$
mkdir "$chip_dir" "$chip_dir/gpio-bank0"
CLEANUPS+=("echo 0 > $chip_dir/live; rmdir $chip_dir/gpio-bank0 $chip_dir")
echo 16 >"$chip_dir/gpio-bank0/num_lines"
echo 1 >"$chip_dir/live"
chip=$(cat "$chip_dir/gpio-bank0/chip_name")
sim=/sys/devices/platform/$(cat "$chip_dir/dev_name")/$chip
val() { cat "$sim/sim_gpio$1/value"; }
pull() { echo "pull-$2" >"$sim/sim_gpio$1/pull"; }
is() { [ "$(val "$1")" = "$2" ]; }
expect() {  # expect WHAT LINE VALUE...
  local what=$1
  shift
  while [ $# -gt 0 ]; do
    is "$1" "$2" || fail "$what: line $1 is $(val "$1"), expected $2"
    shift 2
  done
}

# 0 charge path, 1 discharge path (active-low), 2 power hold, 3 red LED,
# 4 green LED, 5 CHG lamp, 6 DIS lamp; inputs 7 DISP (pressed = high),
# 8 SW ON (active-low: low = resistor fitted = OFF mode).
pull 7 down
pull 8 up
PANEL="lcd = \"none\"
charge_path = \"$chip:0\"
discharge_path = \"!$chip:1\"
power_hold = \"$chip:2\"
led_red = \"$chip:3\"
led_green = \"$chip:4\"
chg_lamp = \"$chip:5\"
dis_lamp = \"$chip:6\"
disp_button = \"$chip:7\"
sw_on = \"!$chip:8\""
write_config "$T/essd.toml"
start_sim 2
start_essd "$T/essd.toml"
wait_closed 2
wait_for 5 "outputs follow the closed paths" sh -c "[ \$(cat $sim/sim_gpio0/value) = 1 ] && [ \$(cat $sim/sim_gpio1/value) = 0 ] && [ \$(cat $sim/sim_gpio5/value) = 1 ]"
expect "paths closed" 0 1 1 0 2 1 3 0 4 1 5 1 6 1
ok "paths closed: charge=1, discharge(active-low)=0, power hold=1, green LED, both lamps"

# SW ON low: OFF mode opens both paths and darkens the lamps.
pull 8 down
wait_for 5 "OFF mode" json_has status '"mode":"off"'
wait_for 5 "paths open in OFF mode" sh -c "[ \$(cat $sim/sim_gpio0/value) = 0 ] && [ \$(cat $sim/sim_gpio1/value) = 1 ]"
expect "OFF mode" 0 0 1 1 2 1 5 0 6 0
json_has status '"charge":\{"blocked_by":\[[^]]*"off_mode"' || fail "charge not blocked by off_mode"
ok "SW ON low: OFF mode, both paths open, lamps off, power still held"
pull 8 up
wait_for 10 "paths closed again after SW ON" sh -c "[ \$(cat $sim/sim_gpio0/value) = 1 ] && [ \$(cat $sim/sim_gpio1/value) = 0 ]"
ok "SW ON high again: paths closed"

# DISP: a hold reaches 3 s while held -> Connection; a short press -> Status.
json_has display '"item":"overall"' || fail "display not on Overall at start"
pull 7 up
wait_for 8 "hold DISP -> Connection" json_has display '"item":"connection"'
pull 7 down
sleep 0.3  # a released button, then a 300 ms press: the input, not a wait for a result
pull 7 up
sleep 0.3
pull 7 down
wait_for 5 "short DISP -> Status" json_has display '"item":"status"'
ok "DISP through gpio-sim: hold -> connection, short press -> status"

# SIGKILL: no chance to clean up; the kernel releases the lines.
kill -KILL "$ESSD_PID"
wait "$ESSD_PID" 2>/dev/null || true
expect "after SIGKILL" 0 0 1 1 2 0 5 0 6 0
ok "after SIGKILL: charge=0, discharge(active-low)=1, power hold=0, lamps off"
