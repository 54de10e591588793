#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# attach --mode auto chooses by what the device hands over (user/kernel/devcaps.c):
# native XDP (+ TC) on a NIC that receives from a wire and keeps VLAN tags
# in the frame (the VM's virtio-net eth0), TC alone on a veth, and on a
# VLAN device; --mode native on the veth is refused, saying why. The NIC
# lives in the VM's own namespace: everything is detached again.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
pins=/sys/fs/bpf/vmnic
P() { build/podroute --pin-dir $pins "$@"; }
trap 'P detach --unpin >/dev/null 2>&1; ip link del nicv0 2>/dev/null; ip link del vl7 2>/dev/null' EXIT
# The NIC: a device with a bus device behind it (dummy0 and the like have none).
nic=
for d in /sys/class/net/*; do
	[ -e "$d/device" ] && { nic=${d##*/}; break; }
done
[ -n "$nic" ] || fail "no NIC in the VM: $(ls /sys/class/net)"
ip link set "$nic" up
ip link add nicv0 type veth peer name nicv1
ip link set nicv0 up && ip link set nicv1 up
ip link add link "$nic" name vl7 type vlan id 7 && ip link set vl7 up
out=$(P attach --underlay "$nic" --underlay nicv0 --underlay vl7 2>&1) || fail "attach: $out"
st=$(P -j status) || fail "status"
echo "$st" | jq -e --arg d "$nic" '.interfaces[] | select(.ifname == $d) | .xdp_mode == "native" and .tc_prog_id > 0' \
	>/dev/null || fail "$nic (a NIC) did not get native XDP + TC: $out"
for d in nicv0 vl7; do
	echo "$st" | jq -e --arg d $d '.interfaces[] | select(.ifname == $d) | .tc_prog_id > 0 and .xdp_mode == "none"' \
		>/dev/null || fail "$d did not get TC alone: $out"
done
P detach || fail "detach"
out=$(P attach --underlay nicv0 --mode native 2>&1) && fail "native XDP on a veth was not refused"
echo "$out" | grep -q "refusing XDP: a veth device hands over packets of local sockets" || fail "refusal says: $out"
# A kernel that refuses XDP metadata (as PODROUTE_NO_XDP_META=1 makes this
# one answer): XDP could not hand packets for OVN's ports to TC, so auto
# puts the NIC on TC alone; --mode native still gets XDP.
out=$(PODROUTE_NO_XDP_META=1 P attach --underlay "$nic" 2>&1) || fail "attach without XDP metadata: $out"
P -j status | jq -e --arg d "$nic" '.interfaces[] | select(.ifname == $d) | .tc_prog_id > 0 and .xdp_mode == "none"' \
	>/dev/null || fail "without XDP metadata, auto gave $nic XDP: $out"
echo "$out" | grep -q "refuses XDP the metadata" || fail "attach did not say why $nic is on TC: $out"
P detach || fail "detach"
out=$(PODROUTE_NO_XDP_META=1 P attach --underlay "$nic" --mode native 2>&1) || fail "native without XDP metadata: $out"
P -j status | jq -e --arg d "$nic" '.interfaces[] | select(.ifname == $d) | .xdp_mode == "native"' >/dev/null ||
	fail "--mode native without XDP metadata did not attach XDP: $out"
P detach || fail "detach"
echo "auto: $nic native XDP + TC (TC alone without XDP metadata), nicv0 and vl7 TC; --mode native on a veth refused with its reason"
