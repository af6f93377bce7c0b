#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The host CAN link (Pylontech frames) on a second vcan made by the test,
# decoded from candump: identifiers, lengths, period, and the values that
# follow from the simulated system (2 parallel modules, both paths closed).
. "$(dirname "$0")/lib.sh"

ip link add dev vcan1 type vcan
CLEANUPS+=("ip link del dev vcan1")
ip link set up vcan1
write_config "$T/essd.toml" '[host.can]' 'enabled = true' 'interface = "vcan1"' 'period_ms = 200'
bg candump candump -L vcan1
start_sim 2
start_essd "$T/essd.toml"
wait_closed 2
mark=$(wc -l <"$T/candump.log")
wait_for 10 "10 host periods" sh -c "tail -n +$mark '$T/candump.log' | grep -c ' 351#' | awk '{exit !(\$1 >= 10)}'"
tail -n +"$mark" "$T/candump.log" >"$T/host.txt"
last() { grep " $1#" "$T/host.txt" | tail -n1 | sed 's/.*#//'; }
for id in 351:16 355:8 356:12 359:16 35C:4 35E:16; do
  d=$(last "${id%:*}")
  [ ${#d} = "${id#*:}" ] || fail "0x${id%:*}: data '$d' has not ${id#*:} hex digits"
done
# Period: 10 frames of 0x351 span 9 x 200 ms.
span=$(awk '/ 351#/ && n < 10 { t = substr($1, 2, length($1) - 2); if (n == 0) a = t; b = t; n++ } END { printf "%d", (b - a) * 1000 }' "$T/host.txt")
echo "0x351 x10 span ${span} ms"
[ "$span" -ge 1600 ] && [ "$span" -le 2000 ] || fail "0x351 period not 200 ms"
# CVL 57.6 V (1 in series) = 576 = 0x0240; CCL 48.0 A = 480 = 0x01E0 (2 x 24 A);
# DCL 50.0 A = 500 = 0x01F4 (min(2 x 50, rating 50)); DVL 32.0 V = 0x0140.
[ "$(last 351)" = "4002E001F4014001" ] || fail "0x351 limits $(last 351)"
[ "$(last 35C)" = "C000" ] || fail "0x35C $(last 35C): charge and discharge enable expected"
[ "$(last 35E)" = "50594C4F4E202020" ] || fail "0x35E name $(last 35E)"
[ "$(last 359 | cut -c9-14)" = "02504E" ] || fail "0x359 $(last 359): 2 modules, 'PN' expected"
soc=$((16#$(last 355 | cut -c3-4)$(last 355 | cut -c1-2)))
api_soc=$(ctl status | grep -o '"rsoc_pct":[0-9.]*' | cut -d: -f2)
echo "0x355 SOC $soc %, API rsoc $api_soc %"
awk -v a="$soc" -v b="$api_soc" 'BEGIN { d = a - b; exit !(d < 1 && d > -1) }' || fail "SOC differs"
ok "host CAN on vcan1: all six frames, 200 ms period, limits/enables/name/count/SOC as expected"
