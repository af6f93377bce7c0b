#!/usr/bin/env bash
# systemd-analyze security: overall exposure of essd.service at most 1.5.
. "$(dirname "$0")/lib.sh"
out=$(systemd-analyze security --no-pager essd.service) || true
line=$(echo "$out" | grep 'Overall exposure level for essd.service')
[ -n "$line" ] || { echo "$out"; fail "no overall exposure line"; }
echo "$line"
level=$(echo "$line" | sed -n 's/.*: \([0-9.]*\).*/\1/p')
awk -v l="$level" 'BEGIN { exit !(l <= 1.5) }' || { echo "$out" | grep -v '^✓' ; fail "exposure $level > 1.5"; }
ok "systemd-analyze security: exposure $level <= 1.5"
