#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# PID 1 of the test VM. The root file system is the host's, shared
# read-only over virtiofs; everything writable is a tmpfs. Reads its job
# from the kernel command line (podroute.job=FILE, podroute.repo=DIR),
# loads the modules the job lists, runs it in the repository, prints the
# exit status on a marker line and powers off (exiting PID 1 would panic).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
job= repo=
for a in $(cat /proc/cmdline); do
	case $a in
	podroute.job=*) job=${a#podroute.job=} ;;
	podroute.repo=*) repo=${a#podroute.repo=} ;;
	esac
done
# The repository may live under /tmp, which is about to be hidden.
mount --bind "$repo" /mnt
for d in /run /tmp /var/tmp /var/log /var/lib /etc/openvswitch /root; do
	mount -t tmpfs tmpfs "$d"
done
mkdir -p /run/netns /run/frr /run/openvswitch /var/lib/openvswitch
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ip link set lo up
cd /mnt
bash "$job" </dev/null
rc=$?
echo "PODROUTE-VM-EXIT=$rc"
sync
echo o >/proc/sysrq-trigger
sleep 10
