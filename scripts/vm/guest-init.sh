#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# /init of the VM's initramfs (busybox): mounts the host's root over 9p
# (read-only; under an overlayfs with a tmpfs upper layer when booting
# systemd), then either runs /run/essd-vm/run.sh chrooted in it and powers
# off, or switch_roots to systemd, which runs it as essd-vm.service.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m 2>/dev/null; done
die() { echo "@@ESSD-VM-FAIL $*"; poweroff -f; echo o >/proc/sysrq-trigger; sleep 5; exit 1; }
SYSTEMD=0
for a in $(cat /proc/cmdline); do case $a in essd_vm.systemd=*) SYSTEMD=${a#*=} ;; esac; done
O=trans=virtio,version=9p2000.L,msize=512000
R=/newroot
if [ "$SYSTEMD" = 1 ]; then HOST=/lower; else HOST=$R; fi
i=0
until mount -t 9p -o $O,ro,cache=loose host $HOST 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 50 ] || die "mount host 9p"; sleep 0.1
done
if [ "$SYSTEMD" = 1 ]; then
  mount -t tmpfs -o mode=0755 rw /rw && mkdir /rw/upper /rw/work || die "tmpfs upper"
  mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work $R ||
    die "overlayfs over the host root"
fi
mount -t tmpfs -o mode=1777 tmp $R/tmp
mount -t tmpfs -o mode=0755 run $R/run
mkdir -p $R/run/essd-vm
mount -t 9p -o $O ctl $R/run/essd-vm || die "mount ctl 9p"
if [ "$SYSTEMD" = 1 ]; then
  U=$R/etc/systemd/system
  mkdir -p $U
  cat >$U/essd-vm.target <<UNIT
[Unit]
Description=essd VM: the command, then power-off
Requires=basic.target essd-vm.service
After=basic.target essd-vm.service
AllowIsolate=yes
UNIT
  cat >$U/essd-vm.service <<UNIT
[Unit]
Description=essd VM command
After=basic.target systemd-journald.service systemd-udevd.service
[Service]
Type=oneshot
ExecStart=/bin/sh /run/essd-vm/run.sh systemd
StandardInput=null
TimeoutStartSec=infinity
UNIT
  # The development machines are containers: without this file systemd
  # would think so too and ignore the kernel command line.
  rm -f $R/.dockerenv $R/run/.containerenv
  ln -sf essd-vm.target $U/default.target
  # Only what a service needs (journald, udev, tmpfiles, sysusers, D-Bus):
  # under TCG every unit costs boot time.
  for u in systemd-binfmt.service proc-sys-fs-binfmt_misc.automount e2scrub_all.timer \
    e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer man-db.timer \
    dpkg-db-backup.timer systemd-tmpfiles-clean.timer fstrim.timer logrotate.timer \
    modprobe@drm.service modprobe@dm_mod.service modprobe@efi_pstore.service \
    modprobe@loop.service modprobe@fuse.service systemd-random-seed.service \
    systemd-update-utmp.service systemd-hwdb-update.service ldconfig.service \
    systemd-firstboot.service systemd-machine-id-commit.service systemd-pstore.service \
    systemd-journal-catalog-update.service systemd-remount-fs.service \
    systemd-timesyncd.service sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
    dev-hugepages.mount; do
    ln -sf /dev/null $U/$u
  done
  mkdir -p $R/etc/systemd/journald.conf.d
  printf '[Journal]\nStorage=volatile\n' >$R/etc/systemd/journald.conf.d/essd-vm.conf
  mkdir -p $R/etc/systemd/system.conf.d
  printf '[Manager]\nShowStatus=no\n' >$R/etc/systemd/system.conf.d/essd-vm.conf
  umount /proc /sys
  mount --move /dev $R/dev
  exec switch_root $R /lib/systemd/systemd
fi
mount -t proc proc $R/proc; mount -t sysfs sys $R/sys; mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts; mount -t tmpfs shm $R/dev/shm
chroot $R /bin/sh /run/essd-vm/run.sh chroot
poweroff -f; echo o >/proc/sysrq-trigger; sleep 5
exit 0 # init exiting panics; panic=-1 and -no-reboot then stop qemu
