#!/usr/bin/env bash
# The watchdog also catches a control loop that spins at SCHED_FIFO. No
# backdoor in essd makes it spin: gdb attaches and writes `jmp .` (EB FE) at
# the loop thread's instruction pointer, so the loop spins on the CPU as a
# bug would. The RT throttle (sched_rt_runtime_us) leaves the manager its
# share of the CPU, and systemd kills essd within WatchdogSec.
. "$(dirname "$0")/lib.sh"
ensure_essd
command -v gdb >/dev/null || skip "no gdb"
wait_closed
wd=$(secs essd.service WatchdogUSec)
pid=$(main_pid)
restarts=$(prop essd.service NRestarts)
policy=$(chrt -p "$pid" | sed -n 's/.*scheduling policy: //p')
[ "${policy%%|*}" = SCHED_FIFO ] || fail "essd's loop runs at $policy, not SCHED_FIFO"
t0=$SECONDS
gdb -q -batch -p "$pid" -ex 'thread 1' -ex 'set {unsigned short}$pc = 0xfeeb' -ex detach \
  >$STATE/gdb.log 2>&1 || { cat $STATE/gdb.log; fail "gdb"; }
# The loop thread is waiting in a system call at $pc's left: it spins as
# soon as that call returns (at the next tick at the latest).
wait_for 10 "essd's loop thread spinning (R state, CPU time rising)" sh -c "grep -q '^State:.*R' /proc/$pid/task/$pid/status"
ok "loop thread spinning at SCHED_FIFO"
wait_for $((wd + 10)) "systemd kills the spinning essd" sh -c "! kill -0 $pid"
t_kill=$((SECONDS - t0))
[ "$(gpio 0)$(gpio 1)" = 00 ] || fail "path lines read $(gpio 0)$(gpio 1) after the kill, expected 00"
[ $t_kill -le $((wd + 2)) ] || fail "killed after ${t_kill} s > WatchdogSec $wd + 2"
ok "spinning loop killed by the watchdog after ${t_kill} s; path lines open"
wait_for 40 "essd restarted" sh -c "[ \$(systemctl show -P NRestarts essd) -gt $restarts ] && [ \$(systemctl show -P ActiveState essd) = active ]"
wait_closed
ok "restarted and closed again"
