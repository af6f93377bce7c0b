#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs in the guest on the host's root (chroot, or systemd's essd-vm.service):
# shares the work directory, prepares the kernel interfaces, runs the
# command, leaves its exit status in /run/essd-vm/rc.
C=/run/essd-vm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[ "$1" = systemd ] && exec </dev/null >/dev/console 2>&1
W=$(cat $C/work)
# Mounted here, after boot, so that nothing of the boot (tmpfiles) walks it.
if mkdir -p "$W" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 work "$W"; then
  sh $C/prepare.sh >$C/prepare.log 2>&1 || echo "@@ESSD-VM-FAIL guest prepare, see the log below"
  dmesg -n 1
  stty -onlcr 2>/dev/null
  echo "@@ESSD-VM-START@@"
  env -i PATH=$PATH HOME=/tmp TERM=dumb LANG=C.UTF-8 /bin/sh $C/cmd.sh </dev/null
  rc=$?
else
  echo "@@ESSD-VM-FAIL mount the work directory $W"
  rc=125
fi
echo "$rc" >$C/rc
sync
echo "@@ESSD-VM-EXIT=$rc@@"
[ "$1" = systemd ] && systemctl poweroff --force --force
exit 0
