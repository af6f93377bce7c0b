#!/usr/bin/env bash
# Watchdog: SIGSTOP on essd. The modules hear no CTRL for 1 s and open their
# outputs; systemd misses WATCHDOG=1 for WatchdogSec, kills essd (the kernel
# releases the GPIO lines: both path lines read open) and starts it again
# after RestartSec.
. "$(dirname "$0")/lib.sh"
ensure_essd
wait_closed
wd=$(secs essd.service WatchdogUSec)
rs=$(secs essd.service RestartUSec)
[ "$wd" -gt 0 ] || fail "no WatchdogSec"
pid=$(main_pid)
restarts=$(prop essd.service NRestarts)
t0=$SECONDS
kill -STOP "$pid"
wait_for $wd "the simulated modules open both outputs (no CTRL for 1 s)" sh -c "printf 'status\n' | socat -t 5 - UNIX-CONNECT:$SIM_CTL | grep -q 'paths=--'"
ok "modules opened their outputs $((SECONDS - t0)) s after SIGSTOP"
wait_for $((wd + 10)) "systemd kills the stopped essd" sh -c "! kill -0 $pid"
t_kill=$((SECONDS - t0))
[ "$(gpio 0)$(gpio 1)" = 00 ] || fail "path lines read $(gpio 0)$(gpio 1) after the kill, expected 00 (open)"
ok "killed by the watchdog after ${t_kill} s (WatchdogSec=$wd); gpio-sim path lines read open"
wait_for $((wd + rs + 20)) "essd restarted" sh -c "[ \$(systemctl show -P NRestarts essd) -gt $restarts ] && [ \$(systemctl show -P ActiveState essd) = active ]"
t_up=$((SECONDS - t0))
journalctl --no-pager -u essd -n 50 | grep -q 'Watchdog timeout' || fail "no 'Watchdog timeout' from systemd in the journal"
# Kill within WatchdogSec (+1 s: the manager's timer granularity), back
# within WatchdogSec + RestartSec plus essd's own start-up (TCG: slow).
[ $t_kill -le $((wd + 1)) ] || fail "killed after ${t_kill} s > WatchdogSec $wd + 1"
[ $((t_up - t_kill)) -le $((rs + 8)) ] || fail "restart took $((t_up - t_kill)) s after the kill"
ok "restarted (new pid $(main_pid)), active ${t_up} s after SIGSTOP (WatchdogSec $wd + RestartSec $rs + start-up)"
wait_closed
