#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# systemctl reload: a valid change applies in place (same pid); an invalid
# file is kept out with a config_rejected event; a start with an invalid file
# exits 2, and RestartPreventExitStatus=2 keeps it from restarting in a loop.
. "$(dirname "$0")/lib.sh"
cfg=/etc/essd/essd.toml
trap 'cp $STATE/essd.toml $cfg' EXIT
ensure_essd
wait_closed
pid=$(main_pid)
json_has status '"errors":\[\]' || fail "errors before the change"
sed -i 's/^topology = "parallel"/topology = "parallel"\nmodules = 3/' $cfg
systemctl reload essd
wait_for 10 "config_reload event" sh -c "journalctl --no-pager -u essd ESSD_EVENT=config_reload | grep -q ."
wait_for 10 "expected 3 modules, 2 connected: a topology error" sh -c "! $ESSCTL --json status | grep -q '\"errors\":\[\]'"
[ "$(main_pid)" = "$pid" ] || fail "reload restarted essd"
ok "valid change (modules = 3) applied by systemctl reload, same pid"
cp $STATE/essd.toml $cfg
systemctl reload essd
wait_for 10 "back to no error" json_has status '"errors":\[\]'
echo 'bogus_key = 1' >>$cfg
systemctl reload essd
wait_for 10 "config_rejected event" sh -c "journalctl --no-pager -u essd ESSD_EVENT=config_rejected | grep -q bogus_key"
is_active || fail "essd not active after an invalid reload"
[ "$(main_pid)" = "$pid" ] || fail "essd restarted on an invalid reload"
json_has status '"errors":\[\]' || fail "the running configuration changed"
ok "invalid file kept out: config_rejected event, same pid, running config kept"
# Start with the invalid file: exit 2, no restart loop.
systemctl restart essd && fail "essd started with an invalid configuration"
wait_for 10 "essd failed" sh -c "[ \$(systemctl show -P ActiveState essd) = failed ]"
[ "$(prop essd.service ExecMainStatus)" = 2 ] || fail "exit status $(prop essd.service ExecMainStatus), expected 2"
failed_pid=$(prop essd.service ExecMainPID)
t=$SECONDS
# Give a restart loop RestartSec x 3 to show itself.
rs=$(secs essd.service RestartUSec)
while [ $((SECONDS - t)) -lt $((3 * rs)) ]; do
  [ "$(prop essd.service ActiveState)" = failed ] || fail "essd left the failed state: restarted"
  sleep 0.5
done
[ "$(prop essd.service ExecMainPID)" = "$failed_pid" ] || fail "essd was started again (pid $(prop essd.service ExecMainPID))"
[ "$(prop essd.service NRestarts)" = 0 ] || fail "NRestarts $(prop essd.service NRestarts) after the failed start"
ok "exit code 2 on an invalid file: failed, not restarted ($((3 * rs)) s watched)"
cp $STATE/essd.toml $cfg
systemctl reset-failed essd
systemctl start essd
wait_closed
