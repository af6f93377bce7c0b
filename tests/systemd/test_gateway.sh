#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ess-gateway.service as scripts/install left it: started by systemd, its own
# user with essd's API group as its only other group, serving /healthz and
# /metrics on the default 127.0.0.1:9877 from the installed essd; essd
# stopped shows as unavailable (503, essd_up 0) and back again; its exposure
# under systemd-analyze security. Leaves essd running and the gateway stopped.
. "$(dirname "$0")/lib.sh"
ensure_essd
wait_closed
gw() { systemctl show -P "$1" ess-gateway.service; }
# (test_install.sh installs with --no-enable: the unit is loaded, not enabled.)
[ "$(gw LoadState)" = loaded ] || fail "ess-gateway.service not installed by scripts/install"
systemctl start ess-gateway
wait_for 20 "ess-gateway active" sh -c '[ "$(systemctl show -P ActiveState ess-gateway.service)" = active ]'
pid=$(gw MainPID)
# (By uid: `ps -o user=` prints a name longer than 8 characters as a number.)
uid=$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")
[ "$uid" = "$(id -u ess-gateway)" ] || fail "ess-gateway runs as uid $uid, not $(id -u ess-gateway)"
own_gid=$(getent group ess-gateway | cut -d: -f3)
essd_gid=$(getent group essd | cut -d: -f3)
have_groups=$(awk '/^Groups:/ { for (i = 2; i <= NF; i++) printf "%s ", $i }' "/proc/$pid/status")
# (Groups: lists the supplementary groups; the primary one may be among them.)
for g in $have_groups; do
  [ "$g" = "$own_gid" ] || [ "$g" = "$essd_gid" ] ||
    fail "ess-gateway has group $g beyond its own ($own_gid) and essd ($essd_gid): $have_groups"
done
echo " $have_groups " | grep -q " $essd_gid " || fail "ess-gateway not in essd's group: $have_groups"
ok "ess-gateway active as user ess-gateway, groups: $have_groups"

url=http://127.0.0.1:9877
metric() { curl -s "$url/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
wait_for 20 "/healthz 200" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $url/healthz)\" = 200 ]"
[ "$(metric essd_up)" = 1 ] || fail "essd_up is not 1 with essd running"
output_has '^essd_modules\{link="connected"\} 2$' curl -s "$url/metrics" || fail "essd_modules connected 2 missing: $(curl -s "$url/metrics" | grep '^essd_modules')"
ok "/healthz 200, essd_up 1, 2 modules connected through the installed essd"

systemctl stop essd
wait_for 15 "/healthz 503 with essd stopped" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $url/healthz)\" = 503 ]"
[ "$(metric essd_up)" = 0 ] || fail "essd_up is not 0 with essd stopped"
ok "essd stopped: /healthz 503, essd_up 0, the gateway still active ($(gw ActiveState))"
[ "$(gw ActiveState)" = active ] || fail "ess-gateway stopped with essd"
ensure_essd
wait_closed
# The gateway retries every 1 s, backing off to 10 s.
wait_for 30 "/healthz 200 again" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $url/healthz)\" = 200 ]"
ok "essd back: /healthz 200 again"

assert_exposure ess-gateway.service 1.5
systemctl stop ess-gateway
