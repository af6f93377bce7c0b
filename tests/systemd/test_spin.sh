#!/usr/bin/env bash
# The watchdog also catches a control loop that spins at SCHED_FIFO. No
# backdoor in essd makes it spin: the test writes `jmp .` (EB FE) through
# /proc/PID/mem at the loop thread's user instruction pointer (from
# /proc/PID/syscall: it waits in epoll_wait), so the loop spins on the CPU as
# a bug would once that call returns. (gdb would do the same, but attaching
# stops essd for longer than WatchdogSec under TCG.) The RT throttle (sched_rt_runtime_us) leaves the manager its
# share of the CPU, and systemd kills essd within WatchdogSec.
. "$(dirname "$0")/lib.sh"
ensure_essd
wait_closed
wd=$(secs essd.service WatchdogUSec)
pid=$(main_pid)
restarts=$(prop essd.service NRestarts)
policy=$(chrt -p "$pid" | sed -n 's/.*scheduling policy: //p')
[ "${policy%%|*}" = SCHED_FIFO ] || fail "essd's loop runs at $policy, not SCHED_FIFO"
t0=$SECONDS
python3 - "$pid" <<'PY' || fail "writing jmp . into essd"
import sys
pid = sys.argv[1]
for _ in range(200):
    f = open("/proc/%s/syscall" % pid).read().split()
    if f[0] not in ("running", "-1"):
        break
pc = int(f[-1], 16)
with open("/proc/%s/mem" % pid, "r+b", buffering=0) as m:
    m.seek(pc)
    m.write(b"\xeb\xfe")
print("jmp . written at", hex(pc), "after syscall", f[0])
PY
ticks() { awk '{ print $14 + $15 }' /proc/$pid/task/$pid/stat; }
t1=$(ticks)
wait_for 10 "essd's loop thread spinning (0.5 s of CPU)" sh -c "[ \$(awk '{ print \$14 + \$15 }' /proc/$pid/task/$pid/stat) -gt $((t1 + 50)) ]"
ok "loop thread spinning at SCHED_FIFO"
wait_for $((wd + 10)) "systemd kills the spinning essd" sh -c "! kill -0 $pid"
t_kill=$((SECONDS - t0))
[ "$(gpio 0)$(gpio 1)" = 00 ] || fail "path lines read $(gpio 0)$(gpio 1) after the kill, expected 00"
[ $t_kill -le $((wd + 2)) ] || fail "killed after ${t_kill} s > WatchdogSec $wd + 2"
ok "spinning loop killed by the watchdog after ${t_kill} s; path lines open"
wait_for 40 "essd restarted" sh -c "[ \$(systemctl show -P NRestarts essd) -gt $restarts ] && [ \$(systemctl show -P ActiveState essd) = active ]"
wait_closed
ok "restarted and closed again"
