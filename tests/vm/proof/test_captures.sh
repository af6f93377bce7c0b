#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden captures on real SocketCAN: each tests/data/captures/NAME.log is
# played onto vcan0 by can-utils' canplayer (the recorded CTRL frames taken
# out first: only module frames are played, as ess-sim --replay does) into
# essd on vcan0, and the controller events must come in the order of
# NAME.expect (keys only, in order from the first path change; the time windows are checked by the pty test,
# test_captures, on a quiet host rather than under TCG). hot-heatsink needs
# its recorded heatsink readings in a sensor file, which canplayer cannot
# write: it is played by ess-sim --replay --can vcan0 --heatsink-file.
. "$(dirname "$0")/lib.sh"
command -v canplayer >/dev/null || skip "canplayer (can-utils) missing"
command -v python3 >/dev/null || skip "python3 missing"
CAPS=$(cd "$(dirname "$0")/../../data/captures" && pwd)

check_order() {  # check_order NAME DURATION_S: events after bus_link up vs NAME.expect
  ctl events -n 1000 >"$T/events.json"
  python3 - "$CAPS/$1.expect" "$T/events.json" "$2" <<'PY'
import json, sys, datetime
tracked = {"path_open", "path_close", "latch_set", "latch_clear", "topology_error",
           "topology_clear", "heatsink_trip", "heatsink_clear", "module_lost",
           "module_connected", "duplicate_address", "auto_shutdown", "mode_change",
           "overcurrent_trip", "overcurrent_clear"}
want = []
for line in open(sys.argv[1]):
    if line[:1] in "#\n" or line.startswith("config ") or line.startswith("heatsink "):
        continue
    want.append(line.split(None, 2)[2].strip())
events = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]  # one event a line
def t(e):
    return datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
seen, t0 = [], None
for e in events:
    d = e.get("data") or {}
    if t0 is None:
        if e["kind"] == "bus_link" and d.get("cause") == "up":
            t0 = t(e)
        continue
    if e["kind"] not in tracked:
        continue
    if t(e) - t0 > float(sys.argv[3]):
        break
    k = e["kind"]
    if isinstance(d.get("path"), str): k += " " + d["path"]
    if d.get("cause"): k += " " + d["cause"]
    if isinstance(d.get("module"), int): k += " module %d" % d["module"]
    seen.append(k)
print("seen:", seen)
# Up to the first path change the order is free: the heatsink's first reading
# comes from its worker thread whenever it is ready, beside the modules
# connecting. From the first path change on, every event in order.
# The replay starts before essd, which under TCG may come up after module 0's
# first INFO: then a topology gap shows and clears while the modules connect.
# Before the first path change such a passing gap is left out.
def split(keys):
    n = next((i for i, k in enumerate(keys) if k.startswith("path_")), len(keys))
    head = [k for k in keys[:n] if not (k.startswith("topology_error topology_gap") or k == "topology_clear")]
    return sorted(head), runs(keys[n:])
# Modules that fall silent together (or start talking together) are
# reported in the order of their last (first) frames, which can be a
# millisecond apart: the replay's jitter under TCG (p99 25 ms) may swap
# them. A run of module events is compared as a set; all else in order.
def runs(keys):
    out = []
    for k in keys:
        kind = k.split()[0]
        if out and kind.startswith("module_") and out[-1][0] == kind:
            out[-1][1].append(k)
            out[-1][1].sort()
        else:
            out.append((kind, [k]))
    return out
if split(seen) != split(want):
    print("expected:", want)
    sys.exit(1)
PY
}

for log in "$CAPS"/*.log; do
  name=$(basename "$log" .log)
  dur=$(awk '/^\(/ { t = substr($1, 2, length($1) - 2) + 0; if (!f) f = t; l = t } END { printf "%.1f", l - f }' "$log")
  # Each table once (toml: a table cannot be defined twice): the keys
  # gathered per table first, from the heatsink and the "config" lines.
  declare -A keys=()
  heat=""
  if grep -q '^heatsink yes' "$CAPS/$name.expect"; then
    heat="$T/heatsink.$name"
    keys[limits]+="heatsink_sensor = \"$heat\""$'\n'
  fi
  # (no process substitution: the guest has no /dev/fd)
  grep '^config ' "$CAPS/$name.expect" >"$T/config-lines" || true
  while read -r _ kv; do
    keys[${kv%%.*}]+="${kv#*.}"$'\n'
  done <"$T/config-lines"
  extra=()
  for table in "${!keys[@]}"; do
    extra+=("[$table]")
    while IFS= read -r line; do
      [ -n "$line" ] && extra+=("$line")
    done <<<"${keys[$table]}"
  done
  unset keys
  rm -f "$T/events.db" "$T/latches.state"
  write_config "$T/essd.toml" "${extra[@]}"
  if [ -n "$heat" ]; then
    bg replay "$SIM" --replay "$log" --can vcan0 --heatsink-file "$heat"
  fi
  start_essd "$T/essd.toml"
  if [ -z "$heat" ]; then
    # The log names the interface it was recorded on (slcan0): map it.
    iface=$(awk '/^\(/ { print $2; exit }' "$log")
    grep -v ' 080#' "$log" >"$T/modules.log"
    canplayer -I "$T/modules.log" "vcan0=$iface" || fail "canplayer failed on $name"
  else
    wait_for $((${dur%.*} + 20)) "the replay of $name" grep -q 'replay: finished' "$T/replay.log"
  fi
  # The last expected events may follow the last module frame (an auto
  # shut-down ends in silence): poll until they are all there.
  if ! (wait_for 20 "the events of $name" check_order "$name" "$dur"); then
    check_order "$name" "$dur" || true
    fail "$name: events differ from $name.expect"
  fi
  kill -TERM "$ESSD_PID"
  wait "$ESSD_PID" || true
  # The replay may have finished and exited already.
  [ -z "$heat" ] || kill -TERM "$LAST_PID" 2>/dev/null || true
  ok "$name: canplayer replay gives the expected events"
done
