#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Socket activation: with essd stopped and essd.socket listening, a client's
# connection starts essd, which serves it on the inherited socket.
. "$(dirname "$0")/lib.sh"
cp $STATE/essd.toml /etc/essd/essd.toml
systemctl reset-failed essd 2>/dev/null || true
systemctl stop essd
systemctl start essd.socket
[ "$(prop essd.socket ActiveState)" = active ] || fail "essd.socket not listening"
[ "$(prop essd.service ActiveState)" != active ] || fail "essd still running"
[ "$(stat -c %G:%a /run/essd/essd.sock)" = essd:660 ] || fail "socket is $(stat -c %G:%a /run/essd/essd.sock)"
out=$(ctl status) || fail "essctl status through the activation socket"
grep -q '"ok":true\|"mode"' <<<"$out" || fail "no status: $out"
is_active || fail "essd not started by the socket"
[ "$(prop essd.service TriggeredBy)" = essd.socket ] || fail "TriggeredBy=$(prop essd.service TriggeredBy)"
ok "essctl status started essd through essd.socket"
wait_closed
pid=$(main_pid)
systemctl restart essd
wait_for 20 "essd back" is_active
[ "$(main_pid)" != "$pid" ] || fail "no restart"
ctl status >/dev/null || fail "status after a restart with the socket"
ok "restart keeps the socket (clients wait in its backlog)"
systemctl stop essd.socket essd
systemctl start essd
wait_closed
