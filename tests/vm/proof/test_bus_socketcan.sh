#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Module bus over SocketCAN, cross-checked with can-utils: ess-sim and essd
# on vcan0; candump must see CTRL (0x080) every 100 ms with the protocol's
# bytes, and a STATUS with CHG=0 sent by cansend must open the charge path at
# once (an immediate CTRL with bit 0 clear, and a path_open event).
. "$(dirname "$0")/lib.sh"

write_config "$T/essd.toml"
bg candump candump -L vcan0
start_sim 2
start_essd "$T/essd.toml"
wait_closed 2

# --- CTRL period and bytes over 3 s of steady state --------------------------
mark=$(wc -l <"$T/candump.log")
wait_for 10 "3 s of CTRL frames" sh -c "tail -n +$mark '$T/candump.log' | grep -c ' 080#' | awk '{exit !(\$1 >= 30)}'"
# awk reads to the end: `grep | head` would SIGPIPE grep, fatal under pipefail.
tail -n +"$mark" "$T/candump.log" | awk '/ 080#/ && n < 30 { print; n++ }' >"$T/ctrl.txt"
# Each line: (SEC.USEC) vcan0 080#MMPPAA0000000000
awk '
  function hex(s,   i, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
  {
    t = substr($1, 2, length($1) - 2) + 0
    split($3, f, "#"); d = f[2]
    if (length(d) != 16) { print "bad length: " $0; bad++ }
    if (substr(d, 1, 2) != "00") { print "mode not normal: " $0; bad++ }
    if (substr(d, 3, 2) != "03") { print "paths not both closed: " $0; bad++ }
    if (substr(d, 7, 10) != "0000000000") { print "bytes 3-7 not zero: " $0; bad++ }
    a = hex(substr(d, 5, 2))
    if (NR > 1) {
      if (a != (prev + 1) % 256) { print "alive " a " after " prev; bad++ }
      gap = (t - pt) * 1000; gaps[NR - 1] = gap
    }
    prev = a; pt = t
  }
  END {
    # The period is 100 ms: the median gap within 100 +- 10 ms, and 80 % of
    # the gaps within 100 +- 30 ms (a TCG VM on a loaded host jitters; a
    # 50 ms, 200 ms or unpaced sender fails either way).
    n = NR - 1; within = 0
    for (i = 1; i <= n; i++) {
      if (gaps[i] >= 70 && gaps[i] <= 130) within++
      for (j = i; j > 1 && gaps[j - 1] > gaps[j]; j--) { g = gaps[j]; gaps[j] = gaps[j - 1]; gaps[j - 1] = g }
    }
    median = gaps[int((n + 1) / 2)]
    printf "CTRL: %d frames, median gap %.1f ms, %d of %d gaps within 100+-30 ms\n", NR, median, within, n
    if (median < 90 || median > 110 || within < 0.8 * n) bad++
    exit bad > 0
  }
' "$T/ctrl.txt" || fail "CTRL frames wrong (see above)"
ok "CTRL every 100 ms, mode 0, both paths closed, alive +1, bytes 3-7 zero"

# --- cansend: module 0 reports CHG=0 ----------------------------------------
# STATUS 0x100: 53.20 V, 0 A, RSOC 60, state 0, lines DIS|OV (CHG=0), version
# 1 with alive 5. One frame: the next frame from the simulator says CHG=1.
mark=$(wc -l <"$T/candump.log")
cansend vcan0 '100#C81400003C000615'
wait_for 20 "the injected STATUS on the bus" grep -q ' 100#C81400003C000615' "$T/candump.log"
wait_for 20 "a CTRL after the injected STATUS" sh -c "tail -n +$mark '$T/candump.log' | sed -n '/ 100#C81400003C000615/,\$p' | grep -q ' 080#'"
# From a copy, by awk alone: `cmd | grep -m1` under pipefail fails at random
# when grep's early exit hands the writer a SIGPIPE (silently, through set -e).
tail -n +"$mark" "$T/candump.log" >"$T/after-inject.txt"
first=$(awk '/ 100#C81400003C000615/ { seen = 1 } seen && / 080#/ { print; exit }' "$T/after-inject.txt")
inj=$(awk '/ 100#C81400003C000615/ { print; exit }' "$T/after-inject.txt")
echo "injected: $inj"
echo "next CTRL: $first"
[ "$(echo "$first" | sed 's/.*080#..\(..\).*/\1/')" = "02" ] || fail "first CTRL after CHG=0 does not open the charge path only"
lag=$(awk -v a="$inj" -v b="$first" 'BEGIN { split(a, x, /[()]/); split(b, y, /[()]/); printf "%d", (y[2] - x[2]) * 1000 }')
echo "CHG=0 -> CTRL with charge open: ${lag} ms"
[ "$lag" -lt $((50 * SCALE)) ] || fail "CTRL came ${lag} ms after the STATUS: not sent at once"
wait_for 20 "path_open event naming module 0's CHG line" json_has events 'module_chg_line:0'
ok "cansend STATUS CHG=0 opened the charge path at once (${lag} ms), event logged"
