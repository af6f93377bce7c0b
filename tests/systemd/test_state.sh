#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# StateDirectory: the OV ERROR latch set before `systemctl restart essd`
# stands after it (kept in /var/lib/essd across restarts). With no module on
# the bus the latch cannot be cleared by live data, so what shows after the
# restart is what essd restored.
. "$(dirname "$0")/lib.sh"
ensure_essd
wait_closed
[ "$(prop essd.service StateDirectory)" = essd ] || fail "no StateDirectory=essd"
sim "ov 0" >/dev/null
wait_for 15 "OV latch set" sh -c "journalctl --no-pager -u essd ESSD_EVENT=latch_set | grep -q ."
wait_for 10 "ov_error in status" json_has status 'ov_error'
wait_for 10 "latch written to /var/lib/essd" test -s /var/lib/essd/latches.state
grep -q ov /var/lib/essd/latches.state || fail "latch file without ov: $(cat /var/lib/essd/latches.state)"
[ "$(stat -c %U /var/lib/essd/latches.state)" = essd ] || fail "latch file not owned by essd"
ok "OV latch set, saved in /var/lib/essd/latches.state"
systemctl stop ess-sim-test
systemctl restart essd
wait_for 20 "essd active" is_active
wait_for 10 "restored latch in status" json_has status 'ov_error'
output_has . journalctl --no-pager -u essd ESSD_EVENT=latch_restore || fail "no latch_restore event"
json_has status '"charge":\{[^}]*"closed":false' || fail "charge path closed with a restored OV latch"
ok "after systemctl restart essd: OV latch restored (latch_restore), charge path open"
# Healthy modules again: live data clears the latch.
systemd-run --unit=ess-sim-test --collect "$BUILD/bin/ess-sim" --modules 2 --can vcan0 \
  --control "$SIM_CTL" >/dev/null
wait_for 20 "ess-sim control socket" sh -c "printf 'status\n' | socat -t 2 - UNIX-CONNECT:$SIM_CTL | grep -q ."
wait_for 30 "latch cleared by live data" sh -c "! $ESSCTL --json status | grep -q ov_error"
wait_closed
ok "healthy modules: latch cleared, paths closed"
