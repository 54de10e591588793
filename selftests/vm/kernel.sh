#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Debian's 6.12 cloud kernel into a cache folder and print its
# release. That kernel has what the host lacks (VRF, the Open vSwitch
# datapath, pktgen, freplace) as modules, BTF, and virtiofs built in, so it
# boots the host's own root file system with no initramfs.
# PODROUTE_VM_KERNEL=6.1 fetches Debian 12's own 6.1 cloud kernel instead
# (the oldest kernel podroute's programs must load on): its virtiofs and
# virtio_pci are modules, so it gets a small initramfs (initrd.img) whose
# static /init (initrd_init.c, built here) loads them, mounts the share and
# hands over to init.sh. Nothing is
# installed into the host's /boot or /lib: the package is only unpacked
# (dpkg-deb -x) and indexed (depmod -b). Idempotent: with the cache in
# place it only prints the release. Remove the cache to move to a newer
# kernel. The cache must not live under /tmp, /run, /var/tmp, /var/log,
# /root or /mnt: the guest mounts tmpfs there.
#
#   PODROUTE_VM_KERNEL  6.12 (default) or 6.1
#   PODROUTE_VM_CACHE   cache folder (default /var/cache/podroute-vm for
#                       6.12, /var/cache/podroute-vm-6.1 for 6.1; run.sh
#                       picks the same)
#
# Layout: $CACHE/release, $CACHE/vmlinuz, $CACHE/root/lib/modules/<release>,
# and for 6.1 $CACHE/initrd.img.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "kernel.sh: $*" >&2; exit 1; }
case ${PODROUTE_VM_KERNEL:-6.12} in
6.12)
	CACHE=${PODROUTE_VM_CACHE:-/var/cache/podroute-vm}
	PATTERN='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$'
	META=linux-image-6.12-cloud-amd64 META_DEP='^linux-image-6\.12\.' INITRD=0 ;;
6.1)
	CACHE=${PODROUTE_VM_CACHE:-/var/cache/podroute-vm-6.1}
	PATTERN='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$'
	META=linux-image-cloud-amd64 META_DEP='^linux-image-6\.1\.0-' INITRD=1 ;;
*) die "PODROUTE_VM_KERNEL=$PODROUTE_VM_KERNEL: 6.12 or 6.1" ;;
esac

cached() { [ -s "$CACHE/release" ] && [ -s "$CACHE/vmlinuz" ] &&
	[ -s "$CACHE/root/lib/modules/$(cat "$CACHE/release")/modules.dep.bin" ] &&
	{ [ "$INITRD" = 0 ] || [ -s "$CACHE/initrd.img" ]; }; }

# One entry of a cpio archive in the "newc" format the kernel unpacks:
# NAME MODE(octal) [FILE] [RDEV-MAJOR RDEV-MINOR]. Headers are ASCII hex;
# name and data are padded to 4 bytes.
cpio_ino=1
cpio_entry() {
	local name=$1 mode=$((8#$2)) file=${3:-} size=0 nlink=1 pad
	[ -n "$file" ] && size=$(stat -c %s "$file")
	[ $((mode & 8#170000)) -eq $((8#040000)) ] && nlink=2
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		"$cpio_ino" "$mode" 0 0 "$nlink" 0 "$size" 0 0 "${4:-0}" "${5:-0}" $((${#name} + 1)) 0 "$name"
	cpio_ino=$((cpio_ino + 1))
	pad=$(((4 - (110 + ${#name} + 1) % 4) % 4))
	head -c "$pad" /dev/zero
	if [ -n "$file" ]; then
		cat "$file"
		head -c $(((4 - size % 4) % 4)) /dev/zero
	fi
}

# The initramfs for a kernel whose virtiofs is a module: /init, the modules
# that mounting the share needs (in the order modprobe would load them) and
# /modules listing them; /dev/console for the kernel's first open.
make_initrd() { # ROOT RELEASE OUT
	local root=$1 release=$2 out=$3 dir ko n=0
	command -v gcc >/dev/null || die "gcc missing (to build the initramfs' /init)"
	dir=$(mktemp -d "$CACHE/.initrd.XXXXXX")
	gcc -static -O2 -Wall -Wextra -Werror -o "$dir/init" "$here/initrd_init.c" ||
		die "cannot build $here/initrd_init.c statically (libc6-dev)"
	: >"$dir/modules"
	for ko in $(modprobe -d "$root" -S "$release" -a --show-depends virtio_pci virtiofs |
		awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++'); do
		case $ko in
		*.ko) cp "$ko" "$dir/m$n.ko" ;;
		*.ko.xz) xz -dc "$ko" >"$dir/m$n.ko" ;;
		*) die "cannot unpack module $ko" ;;
		esac
		echo "/m$n.ko" >>"$dir/modules"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "modprobe found neither virtio_pci nor virtiofs as a module of $release"
	{
		cpio_entry init 100755 "$dir/init"
		cpio_entry modules 100644 "$dir/modules"
		for ((i = 0; i < n; i++)); do cpio_entry "m$i.ko" 100644 "$dir/m$i.ko"; done
		cpio_entry dev 40755
		cpio_entry dev/console 20600 "" 5 1
		cpio_entry newroot 40755
		cpio_entry TRAILER!!! 0
	} >"$out"
	rm -rf "$dir"
}

if cached; then
	cat "$CACHE/release"
	exit 0
fi
# The guest covers these with tmpfs (init.sh) and must read the cache.
for t in /tmp /run /var/tmp /var/log /root /mnt; do
	case $CACHE/ in "$t"/*)
		die "cache $CACHE is hidden inside the guest (tmpfs on $t); pick another PODROUTE_VM_CACHE" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root to create $CACHE and run apt-get"
for t in apt-get apt-cache dpkg-deb depmod flock; do
	command -v "$t" >/dev/null || die "$t missing"
done
mkdir -p "$CACHE"
# Two runs at once (two make jobs) must not unpack over each other.
exec 9>"$CACHE/.lock"
flock 9
if cached; then
	cat "$CACHE/release"
	exit 0
fi

# The newest 6.12 cloud kernel apt knows; else what the meta package
# points at. Refresh the package lists once if neither is known.
pick() {
	local p
	p=$(apt-cache search --names-only "$PATTERN" | awk '{print $1}' | sort -V | tail -1)
	if [ -z "$p" ]; then
		p=$(apt-cache depends "$META" 2>/dev/null |
			dep=$META_DEP awk '$1 == "Depends:" && $2 ~ ENVIRON["dep"] {print $2; exit}')
		# The cloud flavour has no signed variant; its image is "-unsigned".
		if [ -n "$p" ] && apt-cache show "$p-unsigned" >/dev/null 2>&1; then
			p=$p-unsigned
		fi
	fi
	echo "$p"
}
pkg=$(pick)
if [ -z "$pkg" ]; then
	apt-get update -qq >&2 || die "apt-get update failed"
	pkg=$(pick)
fi
[ -n "$pkg" ] || die "apt knows no package matching $PATTERN nor $META (is bookworm-security in sources.list?)"

work=$(mktemp -d "$CACHE/.dl.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "kernel.sh: downloading $pkg" >&2
(cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2) || die "apt-get download $pkg failed"
deb=$(ls "$work"/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "apt-get download $pkg left no .deb"
dpkg-deb -x "$deb" "$work/root" || die "dpkg-deb -x $deb failed"
release=$(ls "$work/root/lib/modules" | head -1)
[ -n "$release" ] && [ -f "$work/root/boot/vmlinuz-$release" ] || die "$pkg holds no kernel image"
depmod -b "$work/root" "$release" || die "depmod -b $work/root $release failed"
if [ "$INITRD" = 1 ]; then
	make_initrd "$work/root" "$release" "$work/initrd.img"
fi

# Publish in an order that keeps cached() false until everything is there.
rm -rf "$CACHE/root" "$CACHE/release" "$CACHE/vmlinuz" "$CACHE/initrd.img"
mv "$work/root" "$CACHE/root"
[ "$INITRD" = 1 ] && mv "$work/initrd.img" "$CACHE/initrd.img"
cp "$CACHE/root/boot/vmlinuz-$release" "$CACHE/vmlinuz"
echo "$release" >"$CACHE/release"
echo "$release"
