#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install every Debian 12 package the build, the tests, the demo and the
# benchmarks need (`make deps`). One `apt-get update`, then one install.
set -euo pipefail
PKGS=(
	# build
	make gcc clang llvm libc6-dev pkg-config git
	libbpf-dev libxdp-dev bpftool libelf-dev zlib1g-dev
	libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libyaml-dev libjansson-dev libmicrohttpd-dev libxxhash-dev
	# the config sidecar's API client: the GnuTLS flavour, as libmicrohttpd
	# already links GnuTLS (one TLS library in the image, not two)
	libcurl4-gnutls-dev
	# tests
	libcmocka-dev groff-base curl iproute2 nftables tcpdump iputils-ping ethtool kmod procps jq util-linux mount bc
	xdp-tools frr openvswitch-switch ovn-central ovn-host yamllint buildah umoci
	# promtool (check and unit-test the alerts, selftests/deploy/test_monitoring.sh)
	prometheus
	# benchmarks
	gnuplot-nox iperf3 sockperf
	# the VM runner (kernel image comes from apt at test time)
	qemu-system-x86
)
# kubectl for the manifest test (`kubectl kustomize`; the sidecar itself no
# longer uses it): Debian's kubernetes-client, unless some other package
# already provides /usr/bin/kubectl (the two conflict).
command -v kubectl >/dev/null 2>&1 || PKGS+=(kubernetes-client)
if [ "$(id -u)" -ne 0 ]; then
	echo "make deps: run as root (apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
