#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Type=notify: systemctl start returns when essd said READY=1; the unit is
# active only after essd's own start-up lines; `systemctl status` shows the
# daemon's STATUS= line.
. "$(dirname "$0")/lib.sh"
mark_journal $STATE/notify.cursor
systemctl start essd
is_active || fail "essd not active after systemctl start"
pid=$(main_pid)
[ "$pid" -gt 0 ] || fail "no MainPID"
[ "$(prop essd.service Type)" = notify ] || fail "Type is not notify"
# The manager's "Started" comes after essd logged its start (Type=simple
# would be "started" at fork, before essd printed anything).
jr=$(journalctl --no-pager -o json --after-cursor "$(cat $STATE/notify.cursor)")
t_start=$(echo "$jr" | python3 -c 'import json,sys
for l in sys.stdin:
    e=json.loads(l)
    if e.get("ESSD_EVENT")=="start": print(e["__MONOTONIC_TIMESTAMP"]); break')
t_active=$(prop essd.service ActiveEnterTimestampMonotonic)
[ -n "$t_start" ] || fail "no ESSD_EVENT=start in the journal"
[ "$t_start" -lt "$t_active" ] || fail "active ($t_active us) before essd's start event ($t_start us)"
ok "Type=notify: essd's start event at ${t_start} us, unit active at ${t_active} us"
wait_closed
wait_for 10 "STATUS= with both paths closed" sh -c "systemctl status --no-pager essd | grep -q 'Status: \".*2 module(s).*chg closed dis closed'"
systemctl status --no-pager essd | grep 'Status:'
ok "systemctl status shows essd's STATUS= line"
[ "$(gpio 0)$(gpio 1)" = 11 ] || fail "gpio-sim path lines read $(gpio 0)$(gpio 1), expected 11 (closed)"
ok "gpio-sim: both path lines driven closed"
