# SPDX-License-Identifier: MIT
# Shared helpers for the daemon VM tests (sourced; bash). Each test runs as
# root inside scripts/vm/run-in-vm: real vcan0, gpio-sim, i2c-stub. Usage of a test:
#   test_xxx.sh BIN_DIR      (essd, ess-sim, essctl)
# Waits poll a condition with a deadline (real processes, real kernel: there
# is no event to block on from a shell); nothing sleeps a fixed time to get
# a result, and every wait fails loudly with what it waited for.
set -euo pipefail
# One stream: the VM runner keeps only stdout in the ctest log, and a
# FAIL line with its log tails must reach it.
exec 2>&1

BIN=${1:?usage: $0 BIN_DIR}
ESSD=$BIN/essd
SIM=$BIN/ess-sim
ESSCTL=$BIN/essctl
T=$(mktemp -d /tmp/essd-vm.XXXXXX)
SOCK=$T/essd.sock
PIDS=()
CLEANUPS=()
SCALE=${VM_WAIT_SCALE:-1}

skip() { echo "SKIP: $*"; exit 77; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$T"/*.log; do [ -f "$f" ] && { echo "--- $f (tail)"; tail -n 30 "$f"; } >&2; done
  exit 1
}
ok() { echo "ok: $*"; }

cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do  # a process that ignores SIGTERM must not hang the suite
    local n=0
    # (an exited child stays a zombie until wait: that is not running)
    while grep -qv ') Z ' "/proc/$p/stat" 2>/dev/null && [ $n -lt $((200 * SCALE)) ]; do
      sleep 0.1
      n=$((n + 1))
    done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  for c in "${CLEANUPS[@]}"; do eval "$c" || true; done
  # Sanitizer builds (build-asan): a report from essd or ess-sim fails the test.
  if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/*.log >/dev/null 2>&1; then
    grep -hE -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/*.log >&2
    echo "FAIL: sanitizer report (above)" >&2
    rc=1
  fi
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT

[ -e /sys/class/net/vcan0 ] || skip "no vcan0 (run inside scripts/vm/run-in-vm)"
[ -x "$ESSD" ] && [ -x "$SIM" ] && [ -x "$ESSCTL" ] || fail "binaries missing in $BIN"

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 50 ms. Deadlines
# are multiplied by VM_WAIT_SCALE (default 1; 4 for sanitizer builds, whose
# big binaries start slowly under TCG).
wait_for() {
  local secs=$(($1 * SCALE)) what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.05
  done
}

# bg NAME COMMAND...: start a background process, log to $T/NAME.log.
# The pid is in $LAST_PID (a global, so callers need no subshell).
bg() {
  local name=$1
  shift
  "$@" >"$T/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

start_sim() {  # start_sim N [IFACE]
  bg sim "$SIM" --modules "$1" --can "${2:-vcan0}" --control "$T/sim.ctl"
  SIM_PID=$LAST_PID
}

# write_config FILE [EXTRA TOML...]: vcan0, everything under $T. $PANEL
# (optional) holds more lines for the [panel] table.
write_config() {
  local f=$1 panel=${PANEL:-}
  shift
  [ -n "$panel" ] || panel='lcd = "none"'
  cat >"$f" <<CONF
[system]
state_file = "$T/latches.state"
[bus]
transport = "socketcan"
interface = "vcan0"
bitrate = 0
restart_ms = 0
[api]
socket = "$SOCK"
[panel]
$panel
[history]
path = "$T/events.db"
CONF
  local extra
  for extra in "$@"; do printf '%s\n' "$extra" >>"$f"; done
}

start_essd() {  # start_essd CONFIG
  bg essd "$ESSD" --config "$1"
  ESSD_PID=$LAST_PID
  wait_for 10 "essd API socket" test -S "$SOCK"
}

ctl() { "$ESSCTL" --socket "$SOCK" --json "$@"; }
# json_has CMD PATTERN: the command's JSON contains the (grep -E) pattern.
json_has() {
  local cmd=$1 pat=$2
  ctl "$cmd" | grep -Eq -- "$pat"
}

# The state every test starts from: N modules connected, both paths closed.
wait_closed() {
  wait_for 15 "$1 modules connected" json_has status "\"modules_connected\":$1[,}]"
  wait_for 10 "charge path closed" json_has status '"charge":\{[^}]*"closed":true'
  wait_for 10 "discharge path closed" json_has status '"discharge":\{[^}]*"closed":true'
}
