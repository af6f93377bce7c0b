#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real-time under systemd: the loop thread at SCHED_FIFO (the unit's
# CPUSchedulingPolicy), every other thread at SCHED_OTHER, memory locked.
. "$(dirname "$0")/lib.sh"
ensure_essd
wait_closed
pid=$(main_pid)
want=$(prop essd.service CPUSchedulingPriority)
chrt -p "$pid" | grep -q 'policy: SCHED_FIFO' || fail "loop: $(chrt -p "$pid")"
chrt -p "$pid" | grep -q "priority: $want\$" || fail "loop priority: $(chrt -p "$pid")"
n=0
for t in /proc/$pid/task/*; do
  tid=${t##*/}
  [ "$tid" = "$pid" ] && continue
  chrt -p "$tid" | grep -q 'policy: SCHED_OTHER' || fail "thread $tid ($(cat $t/comm)): $(chrt -p "$tid")"
  n=$((n + 1))
done
[ $n -ge 1 ] || fail "no worker thread found"
ok "loop thread SCHED_FIFO $want, $n worker thread(s) SCHED_OTHER"
locked=$(awk '/^VmLck/ { print $2 }' /proc/$pid/status)
[ "${locked:-0}" -gt 0 ] || fail "no locked memory (VmLck ${locked:-?} kB)"
# (essd's info line "control loop at SCHED_FIFO ..." did not reach the
# journal in the first run: spdlog's info level; the process state above is
# what counts.) A failed step would be a warning:
! output_has 'real-time:' journalctl --no-pager -u essd -b || fail "real-time warnings: $(journalctl --no-pager -u essd -b | grep 'real-time:')"
ok "memory locked (VmLck $locked kB, VmRSS $(awk '/^VmRSS/ { print $2 }' /proc/$pid/status) kB), no real-time warning"
