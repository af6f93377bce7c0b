#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The API socket's groups: a member of essd (and essd-admin) may run
# privileged commands; a member of essd only may read but not command; a
# user in neither cannot connect.
. "$(dirname "$0")/lib.sh"
ensure_essd
wait_closed
for u in ess-admin-op ess-reader ess-stranger; do userdel -r $u 2>/dev/null || true; done
useradd --system -M -G essd,essd-admin ess-admin-op
useradd --system -M -G essd ess-reader
useradd --system -M ess-stranger
trap 'for u in ess-admin-op ess-reader ess-stranger; do userdel $u 2>/dev/null || true; done' EXIT
as() { local u=$1; shift; runuser -u "$u" -- "$ESSCTL" "$@" >/dev/null 2>&1; echo $?; }
[ "$(as ess-reader status)" = 0 ] || fail "essd member cannot read status"
[ "$(as ess-reader maintenance on)" = 4 ] || fail "essd member's maintenance on not refused with 4"
json_has status '"mode":"normal"' || fail "mode changed by an unprivileged member"
ok "member of essd: status 0, maintenance on refused (exit 4)"
[ "$(as ess-admin-op maintenance on)" = 0 ] || fail "essd-admin member's maintenance on failed"
json_has status '"mode":"maintenance"' || fail "maintenance not on"
[ "$(as ess-admin-op maintenance off)" = 0 ] || fail "maintenance off"
ok "member of essd-admin: maintenance on/off (exit 0)"
rc=$(as ess-stranger status)
[ "$rc" != 0 ] || fail "a user in neither group reached the API"
ok "a user in neither group cannot connect (exit $rc)"
output_has "refused for uid $(id -u ess-reader)" journalctl --no-pager -u essd ESSD_EVENT=privileged_command ||
  fail "no privileged_command refusal in the journal"
ok "refusal logged as privileged_command"
