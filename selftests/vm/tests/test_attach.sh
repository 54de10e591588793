#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# podroute attaches every program on this kernel: XDP native + TC on an
# underlay veth, XDP on an OVN-facing veth, TC on a bridge device, and the
# status reported matches what the kernel says; detach removes exactly it.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
ns=vmattach pins=/sys/fs/bpf/vmattach
ip netns add $ns || fail "netns"
trap 'nsenter --net=/run/netns/$ns build/podroute --pin-dir $pins detach --unpin >/dev/null 2>&1; ip netns del $ns' EXIT
ip -n $ns link add ul0 type veth peer name ul0p
ip -n $ns link add mp0 type veth peer name mp0p
ip -n $ns link add brex type bridge
for d in ul0 ul0p mp0 mp0p brex; do ip -n $ns link set $d up; done
P() { nsenter --net=/run/netns/$ns build/podroute --pin-dir $pins "$@"; }
P attach --underlay ul0 --brex brex --ovn mp0 || fail "attach"
st=$(P -j status) || fail "status"
echo "$st" | jq -e '.interfaces[] | select(.ifname == "ul0") | .xdp_mode == "native" and .tc_prog_id > 0' >/dev/null || fail "ul0: $st"
echo "$st" | jq -e '.interfaces[] | select(.ifname == "mp0") | .xdp_prog == "xdp_ovn"' >/dev/null || fail "mp0: $st"
echo "$st" | jq -e '.interfaces[] | select(.ifname == "brex") | .tc_prog_id > 0' >/dev/null || fail "brex: $st"
ip -n $ns link show ul0 | grep -q "xdp" || fail "kernel shows no XDP on ul0"
P detach || fail "detach"
ip -n $ns link show ul0 | grep -q "prog/xdp" && fail "XDP still on ul0 after detach"
echo "attached on ul0 (xdp native + tc), mp0 (xdp), brex (tc); detached cleanly"
