#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/install for real (users, groups, units, udev rules, config) into the
# VM's overlay; a gpio-sim chip for the paths; ess-sim --can vcan0 as a
# transient unit; the test configuration. Leaves essd installed, not started.
. "$(dirname "$0")/lib.sh"
mkdir -p $STATE
# What must be there again after test_uninstall.sh.
snapshot() {
  { find /usr/local /etc /var/lib -xdev \( -path /var/lib/systemd -o -path /etc/systemd/system \
      -o -name '*-' -o -path /var/lib/dpkg -o -path /etc/ld.so.cache \) -prune -o -print
    getent passwd; getent group; } 2>/dev/null | sort
}
snapshot >$STATE/before.txt
find /etc/systemd/system | sort >$STATE/units_before.txt

"$SRC/scripts/install" --build-dir "$BUILD" --no-packages --no-enable >$STATE/install.log 2>&1 ||
  { cat $STATE/install.log; fail "scripts/install"; }
ok "scripts/install --build-dir $BUILD --no-packages --no-enable"
"$SRC/scripts/install" --build-dir "$BUILD" --no-packages --no-enable >$STATE/install2.log 2>&1 ||
  { cat $STATE/install2.log; fail "scripts/install (second run)"; }
ok "second run (idempotent)"

getent passwd essd | grep -q ':/var/lib/essd:/usr/sbin/nologin$' || fail "user essd"
for g in essd essd-admin gpio i2c; do getent group $g >/dev/null || fail "group $g"; done
id -nG essd | tr ' ' '\n' | grep -qx gpio || fail "essd not in gpio"
for f in /usr/local/bin/essd /usr/local/bin/essctl /usr/local/lib/systemd/system/essd.service \
  /usr/local/lib/systemd/system/essd.socket /etc/udev/rules.d/60-essd.rules /etc/essd/essd.toml; do
  [ -e "$f" ] || fail "missing $f"
done
/usr/local/bin/essd --check-config --config /etc/essd/essd.toml || fail "installed config invalid"
[ "$(systemctl show -P LoadState essd.service)" = loaded ] || fail "essd.service not loaded"
for u in essd.service ess-gateway.service; do  # templates written with the install prefix
  f=/usr/local/lib/systemd/system/$u
  grep -q "^ExecStart=/usr/local/bin/${u%.service} " $f || fail "$u: ExecStart is not the prefix's: $(grep ^ExecStart= $f)"
  ! grep -n '@ESSD_' $f || fail "$u: a template placeholder left"
done
ok "user, groups, binaries, units (ExecStart in /usr/local/bin), udev rules, config"

# gpio-sim chip: line 0 charge path, 1 discharge path (pull-down: a released
# line reads 0 = open).
cfs=/sys/kernel/config/gpio-sim
[ -d $cfs ] || fail "no gpio-sim"
d=$cfs/essd-systemd
mkdir $d $d/gpio-bank0
echo 8 >$d/gpio-bank0/num_lines
echo 1 >$d/live
chip=$(cat $d/gpio-bank0/chip_name)
echo "/sys/devices/platform/$(cat $d/dev_name)/$chip" >$STATE/gpio_sim_dir
wait_for 10 "udev gives /dev/$chip to group gpio" sh -c "[ \"\$(stat -c %G /dev/$chip)\" = gpio ]"
ok "/dev/$chip is root:gpio $(stat -c %a /dev/$chip) (60-essd.rules)"

systemd-run --unit=ess-sim-test --collect "$BUILD/bin/ess-sim" --modules 2 --can vcan0 \
  --control "$SIM_CTL" >/dev/null
wait_for 20 "ess-sim control socket" test -S "$SIM_CTL"
ok "ess-sim --can vcan0 (2 modules) as ess-sim-test.service"

cat >/etc/essd/essd.toml <<CONF
# Written by tests/systemd/test_install.sh
[system]
model = "IJ1001C"
topology = "parallel"
[bus]
transport = "socketcan"
interface = "vcan0"
bitrate = 0
restart_ms = 0
[panel]
lcd = "none"
charge_path = "$chip:0"
discharge_path = "$chip:1"
CONF
cp /etc/essd/essd.toml $STATE/essd.toml
/usr/local/bin/essd --check-config --config /etc/essd/essd.toml || fail "test config invalid"
ok "test configuration: vcan0, paths on $chip:0 and $chip:1"
