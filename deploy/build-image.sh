#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make image`: an OCI image of podroute built here, with no network and
# no base image: `buildah from scratch` plus exactly what runs in it:
#   /usr/sbin/podroute (the BPF object is inside it: libbpf skeleton),
#   the shared libraries it needs (from ldd) and the dynamic loader
#   (libcurl's among them: the config-sync sidecar talks to the API
#   server itself, no kubectl),
#   /etc/podroute/config.yaml (the example; the DaemonSet mounts its own).
# Storage is private to build/image (vfs driver): nothing global changes.
# Output: build/podroute-image.oci.tar (oci-archive), its rootfs staging
# in build/image/rootfs. Usage: build-image.sh [TAG | --print-tag].
# The default tag: the release in VERSION (what deploy/k8s names) when HEAD
# is its tag v<VERSION> and the tree is clean, else <VERSION>-dev.<commit>
# (-dirty): a development build never passes for the release, and no build
# is "latest".
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(cat VERSION)
if [ "$(git describe --tags --exact-match --dirty 2>/dev/null)" = "v$version" ]; then
	default_tag=$version
else
	default_tag=$version-dev.$(git describe --always --dirty 2>/dev/null || echo unknown)
fi
[ "${1:-}" = --print-tag ] && { echo "$default_tag"; exit 0; }
tag=${1:-$default_tag}
bin=build/podroute
[ -x "$bin" ] || { echo "build-image: $bin missing (run make)" >&2; exit 1; }
command -v buildah >/dev/null || { echo "build-image: buildah missing (make deps)" >&2; exit 1; }
work=$PWD/build/image
rm -rf "$work/rootfs"
mkdir -p "$work/rootfs"/{usr/sbin,etc/podroute,tmp,run}
chmod 1777 "$work/rootfs/tmp"
install -m 0755 "$bin" "$work/rootfs/usr/sbin/podroute"
install -m 0644 deploy/config.example.yaml "$work/rootfs/etc/podroute/config.yaml"
# Every library the binary loads, at the path the loader looks for it.
ldd "$bin" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | sort -u | while read -r lib; do
	mkdir -p "$work/rootfs$(dirname "$lib")"
	cp -L "$lib" "$work/rootfs$lib"
done
b=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
ctr=$("${b[@]}" from --quiet scratch)
trap '"${b[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
"${b[@]}" copy --quiet "$ctr" "$work/rootfs/" /
"${b[@]}" config \
	--entrypoint '["/usr/sbin/podroute"]' \
	--cmd '["agent", "--config", "/etc/podroute/config.yaml"]' \
	--env PATH=/usr/sbin:/usr/bin \
	--label org.opencontainers.image.title=podroute \
	--label org.opencontainers.image.version="$tag" \
	--label org.opencontainers.image.description="XDP/TC fast path for BGP-advertised pod and UDN prefixes" \
	--os linux --arch amd64 "$ctr"
"${b[@]}" commit --quiet "$ctr" "podroute:$tag" >/dev/null
rm -f build/podroute-image.oci.tar
"${b[@]}" push --quiet "podroute:$tag" "oci-archive:build/podroute-image.oci.tar:podroute:$tag"
echo "image podroute:$tag -> build/podroute-image.oci.tar ($(du -h build/podroute-image.oci.tar | cut -f1))"
