#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/install --uninstall leaves nothing behind: the files under
# /usr/local, /etc and /var/lib, the users and groups, the units are what
# they were before test_install.sh.
. "$(dirname "$0")/lib.sh"
[ -f $STATE/before.txt ] || fail "no snapshot from test_install.sh"
systemctl stop ess-sim-test 2>/dev/null || true
echo 0 >/sys/kernel/config/gpio-sim/essd-systemd/live 2>/dev/null || true
rmdir /sys/kernel/config/gpio-sim/essd-systemd/gpio-bank0 /sys/kernel/config/gpio-sim/essd-systemd 2>/dev/null || true
"$SRC/scripts/install" --uninstall >$STATE/uninstall.log 2>&1 || { cat $STATE/uninstall.log; fail "scripts/install --uninstall"; }
cat $STATE/uninstall.log
snapshot() {
  { find /usr/local /etc /var/lib -xdev \( -path /var/lib/systemd -o -path /etc/systemd/system \
      -o -name '*-' -o -path /var/lib/dpkg -o -path /etc/ld.so.cache \) -prune -o -print
    getent passwd; getent group; } 2>/dev/null | sort
}
snapshot >$STATE/after.txt
diff $STATE/before.txt $STATE/after.txt || fail "left behind (> lines) or removed (< lines)"
find /etc/systemd/system | sort >$STATE/units_after.txt
diff $STATE/units_before.txt $STATE/units_after.txt || fail "unit links left behind"
[ "$(systemctl show -P LoadState essd.service)" = not-found ] || fail "essd.service still loaded"
! pgrep -x essd >/dev/null || fail "essd still running"
ok "nothing left: files, users, groups, units as before the install"
