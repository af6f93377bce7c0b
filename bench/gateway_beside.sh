#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The load of issue 15's latency figure, for `bench_e2e --beside`: a local
# mosquitto, ess-gateway on essd's socket ($ESSD_SOCKET, set by bench_e2e)
# publishing at its fastest settings (state every 200 ms, modules every 1 s)
# and 20 scrapes of /metrics per second over one keep-alive connection (as a
# Prometheus would hold it). Runs until bench_e2e sends its process group
# SIGTERM; prints what it did (scrapes; MQTT messages and essd_up as of the
# last scrape) to stderr.
#   bench_e2e --essd B/bin/essd --pty --beside "bench/gateway_beside.sh B"
set -euo pipefail
B="$1"
: "${ESSD_SOCKET:?set by bench_e2e --beside}"
T=$(mktemp -d /tmp/essd-gwbeside.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 0' TERM INT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >"$T/mq.conf"
[ "$(id -u)" = 0 ] && echo "user root" >>"$T/mq.conf"
mosquitto -c "$T/mq.conf" >"$T/mq.log" 2>&1 &
pids+=("$!")
http_port=$(free_port)
printf '[gateway]\nid = "bench"\n[essd]\nsocket = "%s"\n[mqtt]\nenabled = true\nhost = "127.0.0.1"\nport = %s\nstate_interval_ms = 200\nmodule_interval_ms = 1000\n[http]\nlisten = "127.0.0.1:%s"\n' \
  "$ESSD_SOCKET" "$port" "$http_port" >"$T/gw.toml"
"$B/bin/ess-gateway" --config "$T/gw.toml" >"$T/gw.out" 2>"$T/gw.log" &
pids+=("$!")
# A subscriber on everything the gateway publishes: the broker delivers
# every message once more, as a site's Home Assistant would take it.
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'essd/#' -q 1 >/dev/null 2>&1 &
pids+=("$!")
python3 - "$http_port" <<'PY' &
import http.client, signal, sys, time
port = int(sys.argv[1])
n, last = 0, b""
def done(*_):
    # From the last scrape: what the gateway had done by then.
    print("gateway_beside scrapes %d" % n, file=sys.stderr)
    for line in last.decode(errors="replace").splitlines():
        if line.startswith(("essd_up ", "essd_gateway_mqtt_messages_total ")):
            print("gateway_beside " + line, file=sys.stderr)
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
conn, t_next = None, time.monotonic()
while True:
    t_next += 0.05
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/metrics")
        last = conn.getresponse().read()
        n += 1
    except Exception:
        conn = None  # the gateway not up yet, or it closed the connection
    time.sleep(max(0.0, t_next - time.monotonic()))
PY
pids+=("$!")
wait
