#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/core.md "Hard-wired inputs" on a gpio-sim chip: a chattering OV line
# opens the charge path on its first low edge and keeps it open while it
# chatters (only debounce_ms of quiet high counts as safe again); the discharge
# path is not the OV line's business and stays closed. Prints the time from
# the low edge (the sysfs write) to the charge GPIO reading open and to the
# first CTRL frame on vcan0 that says charge open.
# TCG makes essd's start slow: longer deadlines unless the caller set them.
export VM_WAIT_SCALE=${VM_WAIT_SCALE:-3}
. "$(dirname "$0")/lib.sh"

cfs=/sys/kernel/config/gpio-sim
[ -d "$cfs" ] || skip "no gpio-sim configfs"
chip_dir=$cfs/essd-ov-$$
mkdir "$chip_dir" "$chip_dir/gpio-bank0"
CLEANUPS+=("echo 0 > $chip_dir/live; rmdir $chip_dir/gpio-bank0 $chip_dir")
echo 8 >"$chip_dir/gpio-bank0/num_lines"
echo 1 >"$chip_dir/live"
chip=$(cat "$chip_dir/gpio-bank0/chip_name")
sim=/sys/devices/platform/$(cat "$chip_dir/dev_name")/$chip
val() { cat "$sim/sim_gpio$1/value"; }
pull() { echo "pull-$2" >"$sim/sim_gpio$1/pull"; }
now_ns() { date +%s%N; }

# 0 charge path, 1 discharge path, 2 hard-wired OV input (high = safe).
# The debounce at its maximum (1 s): under TCG each shell step of the chatter
# takes tens of ms, longer than the default 30 ms, and a high phase that long
# is rightly taken as safe again. The rule tested is the same: the low edge
# acts at once, only the return to high waits.
pull 2 up
PANEL="lcd = \"none\"
debounce_ms = 1000
charge_path = \"$chip:0\"
discharge_path = \"$chip:1\"
hw_ov = \"$chip:2\""
write_config "$T/essd.toml"
bg candump candump -L vcan0,080:7FF
start_sim 2
start_essd "$T/essd.toml"
wait_closed 2
wait_for 5 "both path outputs closed" sh -c "[ \$(cat $sim/sim_gpio0/value) = 1 ] && [ \$(cat $sim/sim_gpio1/value) = 1 ]"
ok "paths closed with the OV line high"

# The first low edge: the charge output must read open at once.
t0=$(now_ns)
pull 2 down
until [ "$(val 0)" = 0 ]; do
  [ $(($(now_ns) - t0)) -lt $((2000000000 * SCALE)) ] || fail "charge path not open 2 s after the OV low edge"
done
t_gpio=$(now_ns)
gpio_us=$(((t_gpio - t0) / 1000))

# Chatter: high and low as fast as the shell goes, ending low. Builtins only
# (read, echo): a fork under TCG can take longer than the debounce.
charge_now() { read -r CHARGE <"$sim/sim_gpio0/value"; }
for i in 1 2 3 4 5 6 7 8 9 10; do
  echo pull-up >"$sim/sim_gpio2/pull"
  charge_now
  [ "$CHARGE" = 0 ] || fail "charge path closed again during the chatter (round $i)"
  echo pull-down >"$sim/sim_gpio2/pull"
  charge_now
  [ "$CHARGE" = 0 ] || fail "charge path closed again during the chatter (round $i)"
done
[ "$(val 1)" = 1 ] || fail "discharge path opened: the OV line blocks charging only"
json_has status '"charge":\{"blocked_by":\[[^]]*"hw_ov_line"' || fail "charge not blocked by hw_ov_line"
opens=$(ctl events -n 1000 | grep '"kind":"path_open"' | grep -c '"path":"charge"' || true)
[ "$opens" = 1 ] || fail "expected one charge path_open for the whole chatter, got $opens"
ok "chattering OV line: charge open from the first low edge, once, discharge closed"

# The first CTRL that says charge open (flags byte, low hex digit even: bit 0 clear).
t0_s=$((t0 / 1000000000)).$(printf '%09d' $((t0 % 1000000000)))
ctrl_us=$(awk -v t0="$t0_s" '/ 080#/ {
    ts = substr($1, 2, length($1) - 2); split($3, f, "#"); lo = substr(f[2], 4, 1)
    if (ts + 0 >= t0 + 0 && index("13579BDFbdf", lo) == 0) { printf "%d", (ts - t0) * 1e6; exit } }' "$T/candump.log")
[ -n "$ctrl_us" ] || fail "no CTRL with the charge path open after the OV edge"
echo "figure: OV low edge -> charge GPIO open ${gpio_us} us (shell poll), -> CTRL charge open ${ctrl_us} us"

# Quiet high: safe again; the path may close (fresh conditions hold).
pull 2 up
wait_for 10 "charge path closed again after the OV line stayed high" sh -c "[ \$(cat $sim/sim_gpio0/value) = 1 ]"
ok "OV line quiet high: charge path closed again"
