#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The OCI image `make image` builds (deploy/build-image.sh): unpacked from
# the archive by hand (index -> manifest -> config and layers, with jq and
# tar), it must have podroute as entrypoint and the agent as default
# command; podroute, the dynamic loader and every library podroute loads
# (libcurl's: the sidecar talks to the API server itself); no kubectl, no
# build tools, package manager or shell; stay under a size bound; and run
# `podroute --version`, `podroute --help` and `podroute config sync --help`
# from its own root (chroot).
set -u
cd "$(dirname "$0")/../.."
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
command -v buildah >/dev/null || { echo "buildah missing"; exit 4; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (chroot)"; exit 4; }
deploy/build-image.sh >/dev/null || { echo "not ok - build-image.sh failed"; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir "$t/oci" "$t/root"
tar -xf build/podroute-image.oci.tar -C "$t/oci"
blob() { echo "$t/oci/blobs/${1%%:*}/${1#*:}"; }
manifest=$(blob "$(jq -r '.manifests[0].digest' "$t/oci/index.json")")
config=$(blob "$(jq -r '.config.digest' "$manifest")")
for l in $(jq -r '.layers[].digest' "$manifest"); do tar -xf "$(blob "$l")" -C "$t/root"; done
check "entrypoint is podroute" test "$(jq -c '.config.Entrypoint' "$config")" = '["/usr/sbin/podroute"]'
check "default command runs the agent" \
	test "$(jq -c '.config.Cmd' "$config")" = '["agent","--config","/etc/podroute/config.yaml"]'
check "labelled with its version" test "$(jq -r '.config.Labels["org.opencontainers.image.version"]' "$config")" != null
for f in usr/sbin/podroute etc/podroute/config.yaml lib64/ld-linux-x86-64.so.2; do
	check "has /$f" test -e "$t/root/$f"
done
for lib in $(ldd build/podroute | awk '/=> \// {print $3}'); do
	check "has $lib" test -e "$t/root$lib"
done
for tool in kubectl gcc cc clang make ld as apt apt-get dpkg sh bash busybox python3 perl; do
	check "no $tool inside" sh -c "! find '$t/root' -name '$tool' -type f -o -name '$tool' -type l | grep -q ."
done
size=$(du -sk "$t/root" | cut -f1)
echo "# rootfs: $((size / 1024)) MiB"
check "rootfs under 96 MiB" test "$size" -lt $((96 * 1024))
check "podroute --version runs from the image's root" sh -c "chroot '$t/root' /usr/sbin/podroute --version | grep -q ."
check "podroute --help lists the agent" sh -c "chroot '$t/root' /usr/sbin/podroute --help | grep -q '^  agent '"
check "podroute config sync --help runs from the image's root (libcurl loads)" \
	sh -c "chroot '$t/root' /usr/sbin/podroute config sync --help | grep -q 'API server'"
echo "image: $fails failed"
[ "$fails" -eq 0 ]
