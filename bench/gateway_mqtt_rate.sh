#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sustained MQTT messages per second through ess-gateway and a real
# mosquitto (issue 15): the broker is stopped, essd records a backlog of
# events (COMM OFF MODE toggled as root), the broker comes back and the
# gateway drains the backlog from essd's history, one QoS 1 message per
# event, in seq order. The subscriber's receive times give the rate; the
# seqs it saw are checked for gaps and duplicates (a gap is only right where
# essd's history dropped events itself: essd_history_dropped).
#   bench/gateway_mqtt_rate.sh BUILD_DIR [TOGGLES]   prints "key value" lines
set -euo pipefail
B="$1"
N="${2:-400}"
T=$(mktemp -d /tmp/essd-gwrate.XXXXXX)
pids=()
mq=""
cleanup() {
  for p in "${pids[@]}" $mq; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
# max_queued_messages 0: no limit on what the broker holds for the
# subscriber (default 1000: a subscriber slower than the drain would lose
# QoS 1 messages at the broker, not at the gateway).
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n' "$port" >"$T/mq.conf"
[ "$(id -u)" = 0 ] && echo "user root" >>"$T/mq.conf"
start_broker() {
  mosquitto -c "$T/mq.conf" >>"$T/mq.log" 2>&1 &
  mq=$!
  for _ in $(seq 100); do
    mosquitto_pub -h 127.0.0.1 -p "$port" -t probe -m x 2>/dev/null && return 0
    sleep 0.05
  done
  echo "gateway_mqtt_rate: mosquitto did not start" >&2
  exit 1
}
start_broker
printf '[system]\nstate_file = "%s/l"\n[api]\nsocket = "%s/essd.sock"\ngroup = "nogroup"\n[panel]\nlcd = "none"\n[history]\npath = "%s/e.db"\n' \
  "$T" "$T" "$T" >"$T/essd.toml"
"$B/bin/essd" --sim 4 --config "$T/essd.toml" >"$T/essd.log" 2>&1 &
pids+=("$!")
ctl() { "$B/bin/essctl" --socket "$T/essd.sock" "$@"; }
for _ in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
http_port=$(free_port)
printf '[gateway]\nid = "rate"\n[essd]\nsocket = "%s/essd.sock"\n[mqtt]\nenabled = true\nhost = "127.0.0.1"\nport = %s\n[http]\nlisten = "127.0.0.1:%s"\n' \
  "$T" "$port" "$http_port" >"$T/gw.toml"
"$B/bin/ess-gateway" --config "$T/gw.toml" >"$T/gw.out" 2>"$T/gw.log" &
pids+=("$!")
metric() { curl -s "http://127.0.0.1:$http_port/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
for _ in $(seq 100); do [ "$(metric essd_gateway_mqtt_connected)" = 1 ] && break; sleep 0.1; done
[ "$(metric essd_gateway_mqtt_connected)" = 1 ] || { echo "gateway_mqtt_rate: gateway never connected" >&2; exit 1; }

# The backlog, with the broker gone.
kill "$mq"
wait "$mq" 2>/dev/null || true
mq=""
for _ in $(seq "$N"); do
  ctl maintenance on >/dev/null
  ctl maintenance off >/dev/null
done
sleep 1  # the last events reach the history

# The broker back, the subscriber on before the gateway's reconnect (>= 1 s).
start_broker
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'essd/rate/event' -q 1 -F '%U %p' >"$T/events.txt" 2>/dev/null &
pids+=("$!")
last=-1
while :; do
  sleep 2
  now=$(wc -l <"$T/events.txt")
  [ "$now" = "$last" ] && [ "$now" -gt 0 ] && break
  last=$now
done
# essd's own history drops (a full write queue) are seq gaps the gateway
# rightly passes over: count them beside the gaps seen.
ctl --json counters >"$T/counters.json"
python3 - "$T/events.txt" "$T/counters.json" <<'PY'
import json, sys
hist = json.load(open(sys.argv[2]))["history"]
print("essd_history_dropped %d" % hist["dropped"])
print("essd_history_last_seq %d" % hist["last_seq"])
rows = []
for line in open(sys.argv[1]):
    t, payload = line.split(" ", 1)
    rows.append((float(t), json.loads(payload)["seq"]))
seqs = [s for _, s in rows]
bad = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != a + 1]
gaps = len(bad)
if bad:
    print("gateway_mqtt_rate: seq jumps (previous, next): %s" % bad[:10], file=sys.stderr)
span = rows[-1][0] - rows[0][0]
print("mqtt_backlog_events %d" % len(rows))
print("mqtt_backlog_seq_gaps_or_repeats %d" % gaps)
print("mqtt_drain_s %.3f" % span)
print("mqtt_sustained_msgs_per_s %.0f" % ((len(rows) - 1) / span if span > 0 else 0))
PY
