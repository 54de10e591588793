#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# podroute attaches every program on this kernel: TC on veths and a bridge
# in auto mode (a veth hands over local-socket packets XDP cannot see), XDP
# native + TC on both veths with --force-xdp, and the status reported
# matches what the kernel says; detach removes exactly it.
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
# Auto: veths hand over packets of local sockets, so TC, never XDP.
P attach --underlay ul0 --brex brex --ovn mp0 || fail "attach"
st=$(P -j status) || fail "status"
for d in ul0 mp0 brex; do
	echo "$st" | jq -e --arg d $d '.interfaces[] | select(.ifname == $d) | .tc_prog_id > 0 and (.xdp_prog // "") == ""' \
		>/dev/null || fail "auto: $d is not TC only: $st"
done
ip -n $ns link show ul0 | grep -q "prog/xdp" && fail "auto put XDP on a veth"
P detach || fail "detach"
# Forced: XDP native on both veths, TC behind each for the hand-offs.
P attach --underlay ul0 --brex brex --ovn mp0 --force-xdp || fail "attach --force-xdp"
st=$(P -j status) || fail "status"
echo "$st" | jq -e '.interfaces[] | select(.ifname == "ul0") | .xdp_mode == "native" and .tc_prog_id > 0' >/dev/null || fail "ul0: $st"
echo "$st" | jq -e '.interfaces[] | select(.ifname == "mp0") | .xdp_prog == "xdp_ovn" and .tc_prog_id > 0' >/dev/null || fail "mp0: $st"
echo "$st" | jq -e '.interfaces[] | select(.ifname == "brex") | .tc_prog_id > 0' >/dev/null || fail "brex: $st"
ip -n $ns link show ul0 | grep -q "xdp" || fail "kernel shows no XDP on ul0"
P detach || fail "detach"
ip -n $ns link show ul0 | grep -q "prog/xdp" && fail "XDP still on ul0 after detach"
echo "auto: TC on ul0, mp0, brex; --force-xdp: xdp native + tc on ul0 and mp0; detached cleanly"
