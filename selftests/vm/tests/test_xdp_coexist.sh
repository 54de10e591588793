#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# XDP coexistence with another tool's program, on a kernel that permits
# freplace (the host's does not). The other tool attaches first with
# xdp-loader, through libxdp's dispatcher. podroute must never replace it.
# Debian's libxdp 1.3.1 dispatcher cannot take podroute's program as an
# extension on 6.12 (it changes packet data; the slots do not), so podroute
# leaves the other program in place and fast-paths through TC on that
# device; `podroute detach` removes only podroute's hooks. If a later
# libxdp/kernel lets podroute join the dispatcher, the test accepts that too.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
ns=vmcoexist pins=/sys/fs/bpf/vmcoexist work=$(mktemp -d)
P() { nsenter --net=/run/netns/$ns build/podroute --pin-dir $pins "$@"; }
# nsenter, not ip netns exec: libxdp needs bpffs for its dispatcher.
L() { nsenter --net=/run/netns/$ns xdp-loader "$@"; }
ip netns add $ns || fail "netns"
# libxdp's pins for the other tool's dispatcher outlive the namespace:
# unload it before deleting the namespace.
trap 'P detach --unpin >/dev/null 2>&1; L unload ul0 --all >/dev/null 2>&1; ip netns del $ns; rm -rf $work' EXIT
ip -n $ns link add ul0 type veth peer name ul0p
for d in ul0 ul0p; do ip -n $ns link set $d up; done
# "Another tool": a minimal XDP program of its own, built here.
cat >"$work/other.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int other_tool(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
C
clang -target bpf -O2 -g -I/usr/include/$(gcc -print-multiarch) -c "$work/other.c" -o "$work/other.o" || fail "build"
L load -m native ul0 "$work/other.o" || fail "xdp-loader load"
L status ul0 | grep -q xdp_dispatcher || fail "xdp-loader did not use the dispatcher: $(L status ul0)"
P attach --underlay ul0 || fail "podroute attach next to another program"
st=$(L status ul0)
echo "$st" | grep -q other_tool || fail "the other program is gone: $st"
if echo "$st" | grep -q xdp_underlay; then
	how="in the dispatcher"
else
	P -j status | jq -e '.interfaces[] | select(.ifname == "ul0") | .tc_prog_id > 0' >/dev/null ||
		fail "podroute neither joined the dispatcher nor attached TC"
	how="through TC (the dispatcher refused the extension)"
fi
P detach || fail "detach"
st=$(L status ul0)
echo "$st" | grep -q other_tool || fail "detach removed the other program: $st"
echo "$st" | grep -q xdp_underlay && fail "podroute's program still there: $st"
echo "other_tool kept; podroute ran $how; detach left other_tool alone"
