# SPDX-License-Identifier: MIT
# Shared helpers of the systemd suite (sourced; bash). Each test runs as root
# in the VM booted by scripts/vm/run-in-vm --systemd, against the essd that
# test_install.sh installed with scripts/install. Usage: test_x.sh BUILD SRC
# Waits poll with a deadline (systemd and journald have no event a shell can
# block on); none sleeps a fixed time to get a result.
set -euo pipefail
BUILD=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SRC=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
# Shared between the tests of one boot (a tmpfs: gone at power-off).
STATE=/run/essd-systemd-test
SIM_CTL=$STATE/sim.ctl
ESSCTL=/usr/local/bin/essctl

skip() { echo "SKIP: $*"; exit 77; }
fail() {
  echo "FAIL: $*" >&2
  { echo "--- systemctl status essd"; systemctl status --no-pager -n 30 essd; } >&2 || true
  exit 1
}
# Each step's time since the test began, also into BUILD/Testing/systemd-steps.log
# (the build directory is the VM's shared work tree: it outlives the boot).
T_START=${EPOCHREALTIME/./}
ok() {
  local line
  line="$(basename "$0" .sh) +$(((${EPOCHREALTIME/./} - T_START) / 1000)) ms ok: $*"
  echo "$line"
  echo "$line" >>"$BUILD/Testing/systemd-steps.log" 2>/dev/null || true
}

[ "$(ps -p 1 -o comm=)" = systemd ] || skip "PID 1 is not systemd (run scripts/systemd-test)"
[ -e /sys/class/net/vcan0 ] || skip "no vcan0"

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.1
  done
}
prop() { systemctl show -P "$2" "$1"; }  # prop UNIT PROPERTY
# secs UNIT PROPERTY: a time span property ("5s", "500ms", "1min 30s") in
# whole seconds, rounded up.
secs() {
  prop "$1" "$2" | awk '{ t = 0; for (i = 1; i <= NF; i++) { v = $i + 0
      if ($i ~ /ms$/) t += v / 1000; else if ($i ~ /min$/) t += 60 * v; else if ($i ~ /us$/) t += v / 1e6
      else if ($i ~ /h$/) t += 3600 * v; else t += v }
    printf "%d\n", (t == int(t)) ? t : int(t) + 1 }'
}
main_pid() { prop essd.service MainPID; }
is_active() { [ "$(prop essd.service ActiveState)" = active ]; }
sim() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$SIM_CTL"; }
ctl() { "$ESSCTL" --json "$@"; }
# output_has PATTERN CMD...: CMD's whole output matches the extended regex.
# Not `CMD | grep -q` under pipefail: grep leaves at its first match and a
# writer with more to say dies of SIGPIPE, which fails the pipeline at random
# (or, negated, passes a check that should fail).
output_has() {
  local pattern=$1 out
  shift
  out=$("$@") || return 1
  grep -Eq -- "$pattern" <<<"$out"
}
json_has() { output_has "$2" ctl "$1"; }
# The gpio-sim chip made by test_install.sh: value of line N.
gpio() { cat "$(cat $STATE/gpio_sim_dir)/sim_gpio$1/value"; }
# A test that failed half-way must not take the next ones with it: essd
# running with the test configuration, failed state reset.
ensure_essd() {
  if [ "$(prop essd.service ActiveState)" != active ]; then
    cp $STATE/essd.toml /etc/essd/essd.toml
    systemctl reset-failed essd 2>/dev/null || true
    systemctl start essd
  fi
}
wait_closed() {
  wait_for 30 "2 modules connected" json_has status '"modules_connected":2[,}]'
  wait_for 15 "charge path closed" json_has status '"charge":\{[^}]*"closed":true'
  wait_for 15 "discharge path closed" json_has status '"discharge":\{[^}]*"closed":true'
}
# journal CURSOR_FILE: remember where the journal is now; since CURSOR_FILE:
# the essd entries after it, as JSON lines.
# (The newest entry's __CURSOR: `journalctl -n 0 --show-cursor` prints no
# cursor at all in systemd 252, and --after-cursor '' then matches nothing.)
mark_journal() {
  journalctl -q -n 1 -o export --no-pager | sed -n 's/^__CURSOR=//p' >"$1"
  [ -s "$1" ] || fail "no journal cursor"
}
journal_since() {
  local f=$1
  shift
  journalctl --no-pager -o json --after-cursor "$(cat "$f")" -u essd "$@"
}
# Microseconds since the epoch, now (bash's clock; journald's is the same).
now_us() { echo "${EPOCHREALTIME/./}"; }
# watchdog_kill_us SINCE_US: when systemd logged essd's watchdog timeout
# (journal time, µs) after SINCE_US; empty if it has not yet.
watchdog_kill_us() {
  journalctl --no-pager -o short-unix -u essd --since "@$(($1 / 1000000))" 2>/dev/null |
    awk -v s="$1" '/Watchdog timeout/ { t = $1; sub(/\./, "", t); if (t + 0 >= s + 0) { print t; exit } }'
}
has_watchdog_kill() { [ -n "$(watchdog_kill_us "$1")" ]; }
# ms A_US B_US: B - A in milliseconds.
ms() { echo $((($2 - $1) / 1000)); }
# assert_exposure UNIT BOUND: systemd-analyze security's overall exposure of
# UNIT at most BOUND (prints the line; the findings on failure).
assert_exposure() {
  local unit=$1 bound=$2 out line level
  out=$(systemd-analyze security --no-pager "$unit") || true
  line=$(echo "$out" | grep "Overall exposure level for $unit")
  [ -n "$line" ] || { echo "$out"; fail "no overall exposure line for $unit"; }
  echo "$line"
  level=$(echo "$line" | sed -n 's/.*: \([0-9.]*\).*/\1/p')
  awk -v l="$level" -v b="$bound" 'BEGIN { exit !(l <= b) }' ||
    { echo "$out" | grep -v '^✓'; fail "$unit exposure $level > $bound"; }
  ok "systemd-analyze security $unit: exposure $level <= $bound"
}
