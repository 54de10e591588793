#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Debian's 6.12 cloud kernel (VRF, openvswitch, pktgen, veth, tun as
# modules, BTF, virtiofs built in) into a cache folder, without installing
# anything into the host's /boot or /lib. Idempotent. Prints the kernel
# release. The cache is not under /tmp: the guest mounts a tmpfs there.
set -euo pipefail
CACHE=${PODROUTE_VM_CACHE:-/var/cache/podroute-vm}
mkdir -p "$CACHE"
if [ -f "$CACHE/release" ] && [ -f "$CACHE/vmlinuz" ]; then
	cat "$CACHE/release"
	exit 0
fi
pkg=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' |
	awk '{print $1}' | sort -V | tail -1)
if [ -z "$pkg" ]; then
	apt-get update -qq >&2
	pkg=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' |
		awk '{print $1}' | sort -V | tail -1)
fi
[ -n "$pkg" ] || { echo "no linux-image-6.12.*-cloud-amd64-unsigned package in apt" >&2; exit 1; }
work=$(mktemp -d "$CACHE/dl.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq "$pkg" >&2)
dpkg-deb -x "$work"/*.deb "$CACHE/root"
release=$(ls "$CACHE/root/lib/modules" | head -1)
depmod -b "$CACHE/root" "$release"
cp "$CACHE/root/boot/vmlinuz-$release" "$CACHE/vmlinuz"
echo "$release" >"$CACHE/release"
echo "$release"
