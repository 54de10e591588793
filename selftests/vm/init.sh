#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2154 # the vm_* variables come from job.sh, written by run.sh
# PID 1 of the test VM (run.sh copies it next to its job file, job.sh).
# The root file system is the host's, shared read-only over virtiofs, so
# everything the guest writes goes to tmpfs: /run, /tmp, /var/tmp,
# /var/log, /root, /mnt and Open vSwitch's state folders. It mounts the
# kernel file systems, loads the modules the job lists, runs the job's
# command in the caller's directory, prints its exit status on a marker
# line carrying the run's nonce (so no output of the command can fake it)
# and powers off: PID 1 must never exit, the kernel would panic.
#
# Every process started costs about 0.1 s under emulation, so this uses
# shell builtins where it can and does all its mounts with one `mount -a`
# over an fstab it writes itself.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
job_dir=${0%/*}

say() { echo "podroute-vm: $*"; }
uptime_s() { local u _; read -r u _ </proc/uptime; echo "$u"; }
poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	# sysrq only queues the power-off: wait for it rather than exit.
	while :; do sleep 60; done
}

mount -t proc proc /proc
# The guest's own device nodes, then the console on them: the host's /dev
# (seen through virtiofs) only served the kernel's first open of it.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
# shellcheck source=/dev/null
. "$job_dir/job.sh" || { say "cannot read $job_dir/job.sh"; poweroff_now; }
say "init $vm_nonce"

# Folders the guest may write to, each a fresh tmpfs.
targets=(/run /tmp /var/tmp /var/log /root /mnt)
for d in /etc/openvswitch /var/lib/openvswitch /var/lib/frr; do
	[ -d "$d" ] && targets+=("$d")
done
# The caller's directory may lie under one of them (a clone in /tmp):
# bind it aside on devtmpfs first and back on top of the tmpfs afterwards.
keep=()
for t in "${targets[@]}"; do
	case $vm_cwd/ in "$t"/*) keep=("$vm_cwd") ;; esac
done
fstab=/dev/.podroute-fstab
esc() { local p=${1//\\/\\134}; p=${p// /\\040}; echo "${p//$'\t'/\\011}"; }
{
	echo "sysfs /sys sysfs defaults 0 0"
	echo "devpts /dev/pts devpts gid=5,mode=620,ptmxmode=666,X-mount.mkdir 0 0"
	echo "tmpfs /dev/shm tmpfs mode=1777,X-mount.mkdir 0 0"
	for p in "${keep[@]}"; do echo "$(esc "$p") /dev/.podroute-keep none bind,X-mount.mkdir 0 0"; done
	for t in "${targets[@]}"; do
		case $t in
		/tmp | /var/tmp) echo "tmpfs $t tmpfs mode=1777 0 0" ;;
		*) echo "tmpfs $t tmpfs mode=755 0 0" ;;
		esac
	done
	for p in "${keep[@]}"; do echo "/dev/.podroute-keep $(esc "$p") none bind,X-mount.mkdir 0 0"; done
	echo "bpf /sys/fs/bpf bpf mode=700 0 0"
	echo "debugfs /sys/kernel/debug debugfs defaults 0 0"
	echo "tracefs /sys/kernel/tracing tracefs defaults 0 0"
	echo "cgroup2 /sys/fs/cgroup cgroup2 defaults 0 0"
	# The results share (run.sh --out DIR), read-write.
	[ "$vm_out" = 1 ] && echo "out /mnt/out virtiofs X-mount.mkdir 0 0"
} >"$fstab"
mount -a -T "$fstab" || say "not every file system mounted: $(tr '\n' ';' <"$fstab")"
# What udev would add: bash's process substitution needs /dev/fd.
ln -s /proc/self/fd /dev/fd
# Tests written for the first version of this runner, which put the
# repository at /mnt, still find its top-level entries there (symlinks).
[ "$vm_cwd" != / ] && ln -s "$vm_cwd"/* /mnt/ 2>/dev/null

# Modules come from the unpacked package, not /lib/modules (the host has
# none). Point the kernel's module loader at a wrapper so requests the
# kernel makes by itself (a qdisc, a link type, an nft expression) load
# too, then load the listed ones in dependency order.
echo "$job_dir/modprobe" >/proc/sys/kernel/modprobe
if [ "${#vm_modules[@]}" -gt 0 ]; then
	modprobe -a -d "$vm_cache/root" -S "$vm_release" "${vm_modules[@]}" ||
		say "not every module loaded: ${vm_modules[*]}"
fi

echo podroute-vm >/proc/sys/kernel/hostname
ip link set lo up

cd "$vm_cwd" || { say "no directory $vm_cwd"; vm_cmd=(false); }
say "start $(uptime_s)"
env "${vm_env[@]}" "${vm_cmd[@]}" </dev/null
rc=$?
echo
say "exit $rc $vm_nonce"
poweroff_now
