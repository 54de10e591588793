#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run one command inside a throw-away QEMU VM booted with Debian's 6.12
# cloud kernel (kernel.sh; PODROUTE_VM_KERNEL=6.1 for Debian 12's own 6.1),
# in the spirit of virtme-ng: no disk image and no initramfs (but the small
# one 6.1 needs to load virtiofs); the host's root file system is the guest's, shared read-only
# over virtiofs, and the guest writes only to tmpfs (see init.sh). The
# command runs as root in the directory run.sh was called from, with the
# modules podroute's tests need already loaded. The guest console (the
# command's stdout and stderr, and kernel warnings) streams to stdout. The
# guest has one virtio-net NIC (eth0) on a QEMU hub of its own, wired to
# nothing: a real NIC driver for what must run on one (native XDP).
#
#   run.sh [--timeout S] [--mem MB] [--smp N] [--out DIR] [--modules "m ..."] -- command [args]
#
#   --timeout S   kill the VM after S seconds (default 600)
#   --mem MB      guest memory (default 1024; allocated lazily)
#   --smp N       virtual CPUs (default 2)
#   --out DIR     share host folder DIR read-write at /mnt/out in the guest
#   --modules L   modules to load instead of the default list
#
# Exit status: the command's own, or 124 if the VM timed out, or 125 if the
# VM could not be started, did not reach init.sh within
# PODROUTE_VM_BOOT_TIMEOUT seconds (120), or stopped before the command
# finished (the reason goes to stderr, with the console's tail).
# KVM does not work on the project's machines: software emulation (TCG).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# The same default as kernel.sh's for the kernel asked for.
case ${PODROUTE_VM_KERNEL:-6.12} in
6.1) CACHE=${PODROUTE_VM_CACHE:-/var/cache/podroute-vm-6.1} ;;
*) CACHE=${PODROUTE_VM_CACHE:-/var/cache/podroute-vm} ;;
esac
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
timeout=600 mem=1024 smp=2 out=
boot_timeout=${PODROUTE_VM_BOOT_TIMEOUT:-120}
# Loaded at boot: what the host lacks (vrf, openvswitch, pktgen) and what
# every test uses. Each costs about 0.1 s under emulation; anything else
# (bridge, vxlan, an nft expression, a tc action) the kernel loads itself
# on first use, through the modprobe wrapper init.sh installs.
modules="veth tun dummy vrf openvswitch pktgen sch_ingress cls_bpf act_bpf nf_tables virtio_net 8021q"

usage() {
	echo "usage: run.sh [--timeout S] [--mem MB] [--smp N] [--out DIR] [--modules LIST] -- command [args]" >&2
	exit 125
}
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--modules) [ $# -ge 2 ] || usage; modules=$2; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -gt 0 ] || usage
fail() { echo "run.sh: $*" >&2; exit 125; }
[ "$(id -u)" -eq 0 ] || fail "needs root (virtiofsd shares the root file system)"
for t in qemu-system-x86_64 unshare findmnt timeout; do
	command -v "$t" >/dev/null || fail "$t missing (apt-get install qemu-system-x86 util-linux coreutils)"
done
[ -x "$VIRTIOFSD" ] || fail "$VIRTIOFSD missing (Debian 12 ships it in qemu-system-x86)"
if [ -n "$out" ]; then
	mkdir -p "$out" && out=$(cd "$out" && pwd) || fail "cannot create the results folder $out"
fi
release=$("$here/kernel.sh") || fail "no kernel (kernel.sh failed)"
cwd=$(pwd -P)

job='' qemu_pid='' vfsd_pids=()
cleanup() {
	trap - EXIT INT TERM
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	for p in "${vfsd_pids[@]}"; do kill "$p" 2>/dev/null; done
	# Reap them all (the console stream ends with qemu), so nothing
	# outlives this script.
	wait 2>/dev/null
	# File by file, never rm -rf: job/view held a bind of / (in
	# virtiofsd's own mount namespace, gone now; rmdir fails safe if not).
	if [ -n "$job" ]; then
		rm -f "$job"/{job.sh,init.sh,modprobe,console,qemu.err,started,no-boot}
		rm -f "$job"/{root,out}.sock "$job"/{root,out}.sock.log
		[ -d "$job/view" ] && rmdir "$job/view"
		rmdir "$job" || echo "run.sh: $job not empty, left in place" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The job folder is read by the guest through the shared root, so it must
# not be under a folder the guest covers with tmpfs: it lives in the cache.
job=$(mktemp -d "$CACHE/run.XXXXXX") || fail "cannot create a job folder in $CACHE"
nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')

# What init.sh sources: where to run, what to load, what to run.
{
	printf 'vm_nonce=%q\n' "$nonce"
	printf 'vm_cwd=%q\n' "$cwd"
	printf 'vm_cache=%q\n' "$CACHE"
	printf 'vm_release=%q\n' "$release"
	printf 'vm_out=%q\n' "$([ -n "$out" ] && echo 1 || echo 0)"
	printf 'vm_modules=('; for m in $modules; do printf '%q ' "$m"; done; printf ')\n'
	printf 'vm_env=(PODROUTE_IN_VM=1 PODROUTE_VM_CACHE=%q' "$CACHE"
	[ -n "$out" ] && printf ' PODROUTE_VM_OUT=/mnt/out'
	printf ')\n'
	printf 'vm_cmd=('; printf '%q ' "$@"; printf ')\n'
} >"$job/job.sh"
cp "$here/init.sh" "$job/init.sh"
# The kernel's own module requests go through this (see init.sh).
printf '#!/bin/sh\nexec /sbin/modprobe -d %q -S %q "$@"\n' "$CACHE/root" "$release" >"$job/modprobe"
chmod 755 "$job" "$job/init.sh" "$job/modprobe"

# One virtiofsd per share and per boot (it serves a single connection).
# The root is served from a private mount namespace holding a read-only
# recursive bind of /, so even a guest that remounts / read-write cannot
# write to the host. The host's /dev stays in view: the kernel opens
# /dev/console there before init runs.
start_virtiofsd() { # SOCKET SOURCE CACHE-MODE READONLY
	local sock=$1 src=$2 cmode=$3 ro=$4 log=$1.log
	unshare -m --propagation private bash -c '
		sock=$1 src=$2 cmode=$3 ro=$4 view=$5 vfsd=$6
		if [ "$ro" = 1 ]; then
			mkdir -p "$view" && mount --rbind "$src" "$view" || exit 1
			findmnt -rno TARGET -R "$view" | while read -r m; do
				mount -o remount,bind,ro "$(printf "%b" "$m")" || exit 1
			done || exit 1
			src=$view
		fi
		exec "$vfsd" --socket-path="$sock" -o source="$src" -o sandbox=chroot \
			-o cache="$cmode" -o log_level=err' \
		vfsd "$sock" "$src" "$cmode" "$ro" "$job/view" "$VIRTIOFSD" >"$log" 2>&1 &
	vfsd_pids+=($!)
	# Bounded wait for its socket: virtiofsd listens right after creating it.
	for _ in $(seq 200); do
		[ -S "$sock" ] && return 0
		kill -0 "${vfsd_pids[-1]}" 2>/dev/null || break
		sleep 0.025
	done
	echo "run.sh: virtiofsd for $src did not start:" >&2
	cat "$log" >&2
	return 1
}
# cache=always for the root: the guest lives seconds and the host's files do
# not change under it; it halves the boot (bash and its libraries). The
# results share is write-through (cache=none) so the host sees every write.
start_virtiofsd "$job/root.sock" / always 1 || exit 125
qemu_share=(-chardev "socket,id=root,path=$job/root.sock"
	-device "vhost-user-fs-pci,chardev=root,tag=rootfs")
if [ -n "$out" ]; then
	start_virtiofsd "$job/out.sock" "$out" none 0 || exit 125
	qemu_share+=(-chardev "socket,id=out,path=$job/out.sock"
		-device "vhost-user-fs-pci,chardev=out,tag=out")
fi

# A kernel with virtiofs built in mounts the share as its root and runs
# init.sh; one with virtiofs as a module gets kernel.sh's initramfs, whose
# /init loads it, mounts the share and runs init.sh (named in pr_init=).
boot=(-append "rootfstype=virtiofs root=rootfs ro init=$job/init.sh console=ttyS0 quiet panic=-1 mitigations=off")
if [ -s "$CACHE/initrd.img" ]; then
	boot=(-initrd "$CACHE/initrd.img"
		-append "rdinit=/init pr_init=$job/init.sh console=ttyS0 quiet panic=-1 mitigations=off")
fi

# Created before qemu starts, so that tail below finds it.
: >"$job/console"
t0=$(date +%s%N)
timeout -k 5 "$timeout" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -smp "$smp" -m "$mem" \
	-object "memory-backend-memfd,id=mem,size=${mem}M,share=on" -numa node,memdev=mem \
	"${qemu_share[@]}" \
	-netdev hubport,id=nic0,hubid=0 -device virtio-net-pci,netdev=nic0 \
	-kernel "$CACHE/vmlinuz" "${boot[@]}" \
	-nographic -no-reboot -nodefaults -serial stdio -monitor none \
	</dev/null >"$job/console" 2>"$job/qemu.err" &
qemu_pid=$!

# Stream the console while the VM runs: no carriage returns, no firmware
# chatter or terminal escapes, nothing after the exit marker (power-off
# noise). The time the command starts is noted for the timing line. In the
# background, so that a signal to run.sh is handled at once (bash defers
# traps while a foreground pipeline runs).
clean_console() {
	sed -u -e 's/\r//g' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' \
		-e '/^SeaBIOS/d' -e 's/^Booting from ROM\.\.//' "$@"
}
tail -s 0.2 -n +1 -f --pid="$qemu_pid" "$job/console" |
	clean_console -e "/^podroute-vm: exit [0-9]* $nonce\$/,\$d" |
	{
		# A kernel that never reaches init.sh (firmware stuck on a bad
		# image, a hang) is stopped after the boot timeout, not --timeout.
		SECONDS=0 booted=0
		while :; do
			if IFS= read -r -t 2 line; then
				case $line in
				"podroute-vm: init $nonce") booted=1 ;;
				"podroute-vm: start "*) date +%s%N >"$job/started" ;;
				*) printf '%s\n' "$line" ;;
				esac
			elif [ $? -le 128 ]; then
				break # end of the console: qemu has exited
			elif [ "$booted" = 0 ] && [ "$SECONDS" -ge "$boot_timeout" ] && [ ! -e "$job/no-boot" ]; then
				: >"$job/no-boot"
				kill "$qemu_pid" 2>/dev/null
			fi
		done
	} &
stream_pid=$!
wait "$qemu_pid"
qrc=$?
qemu_pid=
wait "$stream_pid"
t1=$(date +%s%N)

console=$(clean_console <"$job/console")
rc=$(sed -n "s/^podroute-vm: exit \([0-9]*\) $nonce\$/\1/p" <<<"$console" | tail -1)
if [ -f "$job/started" ]; then
	t_start=$(cat "$job/started")
	printf 'run.sh: boot to command %d.%02d s, command %d.%02d s, total %d.%02d s\n' \
		$(((t_start - t0) / 1000000000)) $(((t_start - t0) / 10000000 % 100)) \
		$(((t1 - t_start) / 1000000000)) $(((t1 - t_start) / 10000000 % 100)) \
		$(((t1 - t0) / 1000000000)) $(((t1 - t0) / 10000000 % 100)) >&2
fi
[ -n "$rc" ] && exit "$rc"

if [ -e "$job/no-boot" ]; then
	echo "run.sh: the VM did not boot within ${boot_timeout}s (PODROUTE_VM_BOOT_TIMEOUT); console tail:" >&2
	tail -n 20 <<<"$console" | sed 's/^/  /' >&2
	exit 125
fi
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "run.sh: the VM timed out after ${timeout}s (--timeout)" >&2
	exit 124
fi
if grep -qx "podroute-vm: init $nonce" <<<"$console"; then
	echo "run.sh: the VM stopped before the command finished (qemu exit $qrc); console tail:" >&2
else
	echo "run.sh: the VM did not boot (qemu exit $qrc); qemu said:" >&2
	sed 's/^/  /' "$job/qemu.err" >&2
	echo "run.sh: console tail:" >&2
fi
tail -n 20 <<<"$console" | sed 's/^/  /' >&2
exit 125
