#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# This kernel has what the host lacks and the VM suite relies on: VRF
# devices with their own table, the Open vSwitch kernel datapath, XDP on
# veth, and BTF for podroute's maps.
set -u
fail() { echo "FAIL: $*"; exit 1; }
ns=vmfeat
ip netns add $ns || fail "netns"
trap 'ip netns del $ns 2>/dev/null' EXIT
ip -n $ns link add blue type vrf table 1001 || fail "VRF device"
ip -n $ns link set blue up
ip -n $ns -d link show blue | grep -q "vrf table 1001" || fail "VRF table not set"
ip -n $ns link add v0 type veth peer name v1 || fail "veth"
ip -n $ns link set v0 master blue || fail "enslave to VRF"
ip netns exec $ns ip link add dp0 type openvswitch 2>/dev/null
[ -d /sys/module/openvswitch ] || fail "openvswitch module not loaded"
[ -r /sys/kernel/btf/vmlinux ] || fail "no BTF"
echo "VRF table 1001, veth in VRF, openvswitch module, BTF: present"
