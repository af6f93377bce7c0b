#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ess-gateway's CPU and RSS beside essd --sim 16 and a local mosquitto, at
# the default intervals and at state_interval_ms = 200, and the same for
# essd itself as the floor (the process the gateway is a client of).
#   bench/gateway_cpu.sh BUILD_DIR [SECONDS]   prints "key value" lines
set -euo pipefail
B="$1"; S="${2:-30}"
T=$(mktemp -d /tmp/essd-gwbench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >"$T/mq.conf"
mosquitto -c "$T/mq.conf" >"$T/mq.log" 2>&1 & pids+=($!)
printf '[system]\nstate_file = "%s/l"\n[api]\nsocket = "%s/essd.sock"\ngroup = "nogroup"\n[panel]\nlcd = "none"\n[history]\npath = "%s/e.db"\n' "$T" "$T" "$T" >"$T/essd.toml"
"$B/bin/essd" --sim 16 --config "$T/essd.toml" >"$T/essd.log" 2>&1 & essd=$!; pids+=($essd)
sleep 2
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)
for interval in 1000 200; do
  printf '[essd]\nsocket = "%s/essd.sock"\n[mqtt]\nenabled = true\nhost = "127.0.0.1"\nport = %s\nstate_interval_ms = %s\n[http]\nlisten = "127.0.0.1:0"\n' \
    "$T" "$port" "$interval" >"$T/gw.toml"
  "$B/bin/ess-gateway" --config "$T/gw.toml" >"$T/gw.out" 2>"$T/gw.log" & gw=$!
  sleep 3
  g0=$(ticks $gw); e0=$(ticks $essd); t0=$(date +%s.%N)
  sleep "$S"
  g1=$(ticks $gw); e1=$(ticks $essd); t1=$(date +%s.%N)
  awk -v a="$g0" -v b="$g1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v k="gw_cpu_pct_state$interval" \
    'BEGIN { printf "%s %.2f\n", k, (b - a) / hz / (t1 - t0) * 100 }'
  awk -v a="$e0" -v b="$e1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v k="essd_cpu_pct_beside_state$interval" \
    'BEGIN { printf "%s %.2f\n", k, (b - a) / hz / (t1 - t0) * 100 }'
  echo "gw_rss_kib_state$interval $(rss $gw)"
  echo "essd_rss_kib $(rss $essd)"
  m=$(curl -s "http://$(sed -n 's/^http //p' "$T/gw.out")/metrics" | awk '/^essd_gateway_mqtt_messages_total/ {print $2}')
  echo "gw_mqtt_messages_state$interval $m"
  kill $gw; wait $gw 2>/dev/null || true
done
