#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# XDP coexistence through libxdp's dispatcher (this kernel permits
# freplace, the host's does not): another tool's XDP program attached first
# with xdp-loader stays attached when podroute attaches (both run in the
# dispatcher), podroute's fast path works, and `podroute detach` removes
# only podroute's program.
set -u
cd /mnt
fail() { echo "FAIL: $*"; exit 1; }
ns=vmcoexist pins=/sys/fs/bpf/vmcoexist work=$(mktemp -d)
P() { nsenter --net=/run/netns/$ns build/podroute --pin-dir $pins "$@"; }
ip netns add $ns || fail "netns"
trap 'P detach --unpin >/dev/null 2>&1; ip netns del $ns; rm -rf $work' EXIT
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
ip netns exec $ns xdp-loader load -m native ul0 "$work/other.o" || fail "xdp-loader load"
P attach --underlay ul0 || fail "podroute attach next to another program"
st=$(ip netns exec $ns xdp-loader status ul0)
echo "$st" | grep -q other_tool || fail "the other program is gone: $st"
echo "$st" | grep -q xdp_underlay || fail "podroute's program is not in the dispatcher: $st"
P detach || fail "detach"
st=$(ip netns exec $ns xdp-loader status ul0)
echo "$st" | grep -q other_tool || fail "detach removed the other program: $st"
echo "$st" | grep -q xdp_underlay && fail "podroute's program still there: $st"
echo "dispatcher held other_tool + xdp_underlay; detach left other_tool alone"
