#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The watchdog also catches a control loop that spins at SCHED_FIFO (not
# only one that is stopped). The installed essd has no way to be made to
# spin; for this test only, a drop-in in /run runs the test binary
# essd-fault-injection (the same daemon plus a SIGUSR2 hook, never
# installed by scripts/install) with ESSD_FAULT=spin under the installed
# unit's settings. SIGUSR2 makes its loop thread spin on the CPU for ever;
# the RT throttle (sched_rt_runtime_us) leaves the manager its share, and
# systemd kills it within WatchdogSec. Then the drop-in goes and the product
# essd runs again.
. "$(dirname "$0")/lib.sh"
fi_bin=$BUILD/tests/essd-fault-injection
[ -x "$fi_bin" ] || fail "no $fi_bin (the tests' build)"
lib=/usr/local/lib/essd-test  # the VM's overlay; removed again below
dropin=/run/systemd/system/essd.service.d/50-spin-test.conf
restore() {
  rm -f "$dropin"
  rm -rf "$lib"
  systemctl daemon-reload
}
trap restore EXIT
install -D -m 0755 "$fi_bin" $lib/essd-fault-injection
mkdir -p "$(dirname "$dropin")"
cat >"$dropin" <<CONF
[Service]
ExecStart=
ExecStart=$lib/essd-fault-injection --config /etc/essd/essd.toml
Environment=ESSD_FAULT=spin
CONF
systemctl daemon-reload
ensure_essd
systemctl restart essd
wait_closed
pid=$(main_pid)
[ "$(readlink /proc/$pid/exe)" = $lib/essd-fault-injection ] || fail "essd.service runs $(readlink /proc/$pid/exe)"
wd=$(secs essd.service WatchdogUSec)
restarts=$(prop essd.service NRestarts)
policy=$(chrt -p "$pid" | sed -n 's/.*scheduling policy: //p')
[ "${policy%%|*}" = SCHED_FIFO ] || fail "the loop runs at $policy, not SCHED_FIFO"
ticks() { awk '{ print $14 + $15 }' /proc/$pid/task/$pid/stat; }
t1=$(ticks)
t0=$(now_us)
kill -USR2 "$pid"
spinning() { [ "$(ticks)" -gt $((t1 + 50)) ]; }
wait_for "$wd" "the loop thread spinning (0.5 s of CPU)" spinning
ok "loop thread spinning at SCHED_FIFO ($(ms "$t0" "$(now_us)") ms after SIGUSR2)"
wait_for $((2 * wd + 10)) "systemd kills the spinning essd" sh -c "! kill -0 $pid"
[ "$(gpio 0)$(gpio 1)" = 00 ] || fail "path lines read $(gpio 0)$(gpio 1) after the kill, expected 00"
wait_for 10 "systemd's 'Watchdog timeout' in the journal" has_watchdog_kill "$t0"
kill_ms=$(ms "$t0" "$(watchdog_kill_us "$t0")")
[ "$kill_ms" -le $((wd * 1000 + 1500)) ] || fail "watchdog timeout after ${kill_ms} ms > WatchdogSec $wd s + 1.5 s"
ok "spinning loop killed by the watchdog ${kill_ms} ms after SIGUSR2 (WatchdogSec=$wd); path lines open"
wait_for 60 "essd restarted" sh -c "[ \$(systemctl show -P NRestarts essd) -gt $restarts ] && [ \$(systemctl show -P ActiveState essd) = active ]"
restore
trap - EXIT
systemctl restart essd
wait_closed
[ "$(readlink /proc/"$(main_pid)"/exe)" = /usr/local/bin/essd ] || fail "the product essd is not back"
ok "restarted; the installed essd runs again and closes the paths"
