#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Watchdog: SIGSTOP on essd. The modules hear no CTRL for 1 s and open their
# outputs; systemd misses WATCHDOG=1 for WatchdogSec, kills essd (the kernel
# releases the GPIO lines: both path lines read open) and starts it again
# after RestartSec. Times come from the journal (systemd's "Watchdog timeout"
# entry) and bash's µs clock, not from the polling; every deadline is derived
# from the unit's WatchdogSec and RestartSec with a margin for TCG.
. "$(dirname "$0")/lib.sh"
ensure_essd
wait_closed
wd=$(secs essd.service WatchdogUSec)
rs=$(secs essd.service RestartUSec)
[ "$wd" -gt 0 ] || fail "no WatchdogSec"
pid=$(main_pid)
restarts=$(prop essd.service NRestarts)
t0=$(now_us)
kill -STOP "$pid"
wait_for $((wd + 5)) "the simulated modules open both outputs (no CTRL for 1 s)" \
  sh -c "printf 'status\n' | socat -t 5 - UNIX-CONNECT:$SIM_CTL | grep -q 'paths=--'"
ok "modules opened their outputs $(ms $t0 "$(now_us)") ms after SIGSTOP"
wait_for $((2 * wd + 10)) "systemd kills the stopped essd" sh -c "! kill -0 $pid"
[ "$(gpio 0)$(gpio 1)" = 00 ] || fail "path lines read $(gpio 0)$(gpio 1) after the kill, expected 00 (open)"
wait_for 10 "systemd's 'Watchdog timeout' in the journal" has_watchdog_kill "$t0"
t_kill=$(watchdog_kill_us "$t0")
kill_ms=$(ms "$t0" "$t_kill")
ok "watchdog timeout ${kill_ms} ms after SIGSTOP (WatchdogSec=$wd); gpio-sim path lines read open"
wait_for $((rs + 60)) "essd restarted" sh -c "[ \$(systemctl show -P NRestarts essd) -gt $restarts ] && [ \$(systemctl show -P ActiveState essd) = active ]"
up_ms=$(ms "$t0" "$(now_us)")
# The last WATCHDOG=1 came up to WatchdogSec/4 before SIGSTOP, so the
# timeout is due between 3/4 WatchdogSec and WatchdogSec after it; 1.5 s for
# the manager's timer and TCG.
[ "$kill_ms" -le $((wd * 1000 + 1500)) ] || fail "watchdog timeout after ${kill_ms} ms > WatchdogSec $wd s + 1.5 s"
[ "$kill_ms" -ge $((wd * 750 - 500)) ] || fail "watchdog timeout after ${kill_ms} ms: too early for WatchdogSec $wd s"
ok "restarted (new pid $(main_pid)), active ${up_ms} ms after SIGSTOP (WatchdogSec $wd + RestartSec $rs + start-up)"
wait_closed
