#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bpf_fib_lookup with BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID looks in
# the table it is given (a VRF's) and only there, on this kernel: the
# premise of podroute's VRF path. fib_tbid_probe asks for 10.100.1.1 in
# table 100 and returns rc | ifindex << 8 (BPF_PROG_TEST_RUN through
# `bpftool prog run`). Table 100 sends it out of t100, table main out of
# tmain: the answer must name t100; with table 100's route gone it must be
# "not forwarded" (4), although table main still has a route.
. "$(dirname "$0")/../lib.sh"
need bpftool nsenter jq
vm_obj fib_tbid_probe

ns=vmfib-$$ pin=/sys/fs/bpf/vmfib-$$
ip netns add "$ns" || fail "netns $ns"
on_exit "ip netns del $ns"
nsx() { ip netns exec "$ns" "$@"; }
ip -n "$ns" link set lo up
for d in t100 tmain; do
	ip -n "$ns" link add "$d" type veth peer name "$d-p"
	ip -n "$ns" link set "$d" up
	ip -n "$ns" link set "$d-p" up
done
# The lookup starts from lo (ifindex 1): forwarding must be on there.
nsx sysctl -qw net.ipv4.ip_forward=1
ip -n "$ns" addr add 10.100.0.254/16 dev tmain
ip -n "$ns" route add 10.100.0.0/16 dev t100 table 100
ip -n "$ns" neigh replace 10.100.1.1 lladdr 02:00:00:00:01:00 dev t100 nud permanent
ip -n "$ns" neigh replace 10.100.1.1 lladdr 02:00:00:00:02:00 dev tmain nud permanent
t100=$(ip -n "$ns" -j link show t100 | jq '.[0].ifindex')
tmain=$(ip -n "$ns" -j link show tmain | jq '.[0].ifindex')

bpftool prog load "$VM_OBJ" "$pin" type tc || fail "cannot load $VM_OBJ"
on_exit "rm -f $pin"
pkt=$(mktemp)
on_exit "rm -f $pkt"
head -c 64 /dev/zero >"$pkt"
probe() { # -> the program's return value, run in the test namespace
	nsenter --net=/run/netns/"$ns" bpftool prog run pinned "$pin" data_in "$pkt" 2>&1 |
		sed -n 's/^Return value: \([0-9]*\).*/\1/p'
}

got=$(probe)
[ -n "$got" ] || fail "bpftool prog run gave no return value"
[ "$got" != 255 ] || fail "bpf_fib_lookup with BPF_FIB_LOOKUP_TBID returned an error (kernel < 6.8?)"
[ $((got & 255)) -eq 0 ] || fail "lookup in table 100: result $((got & 255)), want 0 (success)"
[ $((got >> 8)) -eq "$t100" ] ||
	fail "lookup in table 100 left by ifindex $((got >> 8)), want t100 ($t100; tmain is $tmain)"
echo "table 100: 10.100.1.1 -> t100 (ifindex $t100), not tmain ($tmain) from table main"

ip -n "$ns" route del 10.100.0.0/16 dev t100 table 100
got=$(probe)
[ -n "$got" ] && [ $((got & 255)) -eq 4 ] ||
	fail "with table 100 empty: result $((got & 255)), want 4 (not forwarded): table main must not answer"
echo "table 100 empty: not forwarded, although table main has a route"
