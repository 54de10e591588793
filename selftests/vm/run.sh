#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run a command inside a QEMU VM booted with Debian's 6.12 cloud kernel,
# in the spirit of virtme-ng: the host's root file system shared read-only
# over virtiofs (no image, no initramfs), the repository at /mnt, tmpfs
# wherever the guest writes. Prints the guest console (the command's
# output) and returns the command's exit status.
#
#   run.sh [--timeout SECONDS] [--mem MB] [--modules "m1 m2"] -- command [args]
#
# Exit status: the command's; 124 on timeout; 125 if the VM could not be
# started. Uses vng instead when it is installed and PODROUTE_VM_VNG=1.
# KVM does not work on the project's machines: software emulation (TCG).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout=600 mem=1024
modules="veth tun vrf openvswitch sch_ingress cls_bpf act_bpf pktgen nf_tables dummy 8021q bridge"
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: run.sh [--timeout S] [--mem MB] [--modules LIST] -- command" >&2; exit 125 ;;
	esac
done
[ $# -gt 0 ] || { echo "run.sh: no command" >&2; exit 125; }
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (virtiofsd shares /)" >&2; exit 125; }
if [ "${PODROUTE_VM_VNG:-0}" = 1 ] && command -v vng >/dev/null; then
	exec vng --run "$(cat "${PODROUTE_VM_CACHE:-/var/cache/podroute-vm}/vmlinuz" 2>/dev/null)" -- "$@"
fi
command -v qemu-system-x86_64 >/dev/null || { echo "run.sh: qemu-system-x86_64 missing (make deps)" >&2; exit 125; }
CACHE=${PODROUTE_VM_CACHE:-/var/cache/podroute-vm}
release=$("$here/kernel.sh") || { echo "run.sh: no kernel" >&2; exit 125; }
job=$(mktemp -d "$CACHE/job.XXXXXX")
vfsd_pid= qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	[ -n "$vfsd_pid" ] && kill "$vfsd_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$job"
}
trap cleanup EXIT INT TERM

# The job: load modules (full paths in dependency order: modprobe -d does
# not find them inside the guest), then the command, from the repository.
{
	echo "cd /mnt"
	for m in $modules; do
		modprobe -d "$CACHE/root" -S "$release" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" {print "insmod " $2 " 2>/dev/null"}'
	done
	printf 'export PODROUTE_IN_VM=1\n'
	printf '%q ' "$@"
	echo
} >"$job/job.sh"
cp "$here/init.sh" "$job/init.sh"
chmod +x "$job/init.sh"

/usr/lib/qemu/virtiofsd --socket-path="$job/vfs.sock" -o source=/ -o sandbox=chroot \
	-o cache=none -o log_level=err >"$job/virtiofsd.log" 2>&1 &
vfsd_pid=$!
for _ in $(seq 100); do [ -S "$job/vfs.sock" ] && break; sleep 0.05; done
[ -S "$job/vfs.sock" ] || { echo "run.sh: virtiofsd did not start:"; cat "$job/virtiofsd.log"; exit 125; }

start=$(date +%s.%N)
timeout --foreground "$timeout" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -smp 2 -m "$mem" \
	-object memory-backend-memfd,id=mem,size="${mem}M",share=on -numa node,memdev=mem \
	-chardev socket,id=vfs,path="$job/vfs.sock" -device vhost-user-fs-pci,chardev=vfs,tag=rootfs \
	-kernel "$CACHE/vmlinuz" \
	-append "rootfstype=virtiofs root=rootfs ro init=$job/init.sh console=ttyS0 quiet loglevel=3 panic=-1 podroute.job=$job/job.sh podroute.repo=$repo" \
	-nographic -no-reboot -nodefaults -serial stdio -monitor none </dev/null >"$job/console.log" 2>&1 &
qemu_pid=$!
wait "$qemu_pid"
qrc=$?
qemu_pid=
# The console without firmware chatter, terminal escapes and the power-off.
tr -d '\r' <"$job/console.log" | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' |
	grep -vE '^PODROUTE-VM-EXIT=|SeaBIOS|Booting from ROM|sysrq: Power Off|reboot: Power down|^$'
rc=$(tr -d '\r' <"$job/console.log" | sed -n 's/^PODROUTE-VM-EXIT=\([0-9]*\)$/\1/p' | tail -1)
printf '# vm: %.1f s wall\n' "$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo 0)" >&2
if [ -z "$rc" ]; then
	[ "$qrc" -eq 124 ] && { echo "run.sh: VM timed out after ${timeout}s" >&2; exit 124; }
	echo "run.sh: the VM ended without reporting the command's status (qemu exit $qrc)" >&2
	exit 125
fi
exit "$rc"
