#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Debian's 6.12 cloud kernel into a cache folder and print its
# release. That kernel has what the host lacks (VRF, the Open vSwitch
# datapath, pktgen, freplace) as modules, BTF, and virtiofs built in, so it
# boots the host's own root file system with no initramfs. Nothing is
# installed into the host's /boot or /lib: the package is only unpacked
# (dpkg-deb -x) and indexed (depmod -b). Idempotent: with the cache in
# place it only prints the release. Remove the cache to move to a newer
# kernel. The cache must not live under /tmp, /run, /var/tmp, /var/log,
# /root or /mnt: the guest mounts tmpfs there.
#
#   PODROUTE_VM_CACHE   cache folder (default /var/cache/podroute-vm)
#
# Layout: $CACHE/release, $CACHE/vmlinuz, $CACHE/root/lib/modules/<release>.
set -euo pipefail
CACHE=${PODROUTE_VM_CACHE:-/var/cache/podroute-vm}
PATTERN='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$'
META=linux-image-6.12-cloud-amd64

die() { echo "kernel.sh: $*" >&2; exit 1; }

cached() { [ -s "$CACHE/release" ] && [ -s "$CACHE/vmlinuz" ] &&
	[ -s "$CACHE/root/lib/modules/$(cat "$CACHE/release")/modules.dep.bin" ]; }

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
			awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.12\./ {print $2; exit}')
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

# Publish in an order that keeps cached() false until everything is there.
rm -rf "$CACHE/root" "$CACHE/release" "$CACHE/vmlinuz"
mv "$work/root" "$CACHE/root"
cp "$CACHE/root/boot/vmlinuz-$release" "$CACHE/vmlinuz"
echo "$release" >"$CACHE/release"
echo "$release"
