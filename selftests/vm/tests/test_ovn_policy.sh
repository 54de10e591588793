#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Real OVN (issue 14): ovn-northd and ovn-controller from Debian, a node's
# logical switch with the management port (LSP k8s-node1 bound to
# ovn-k8s-mp0) and a pod, ovn_cluster_router, and NetworkPolicy as
# OVN-Kubernetes writes it: a port group for the namespace's pods, a
# default deny of ingress, allow-related ACLs from an ipBlock for one port
# (TCP and UDP 8080) and ICMP, and OVN-K's allow from the node's own
# management address. The slow path is local gateway mode: br-ex hands the
# packet to the host, which routes it into ovn-k8s-mp0; replies leave OVN
# through the same port (the router's default route via the management
# address).
#
# The same 58 flows (UDP, TCP, ICMP; allowed, denied by ipBlock, denied by
# port) are sent with podroute detached, in shadow mode and enforcing, in
# local and shared gateway mode: the pod must receive exactly the same ones,
# and OVN's ACL stage must see the fast-path packets (the ACL log counts
# them). Except in shared gateway mode, enforcing, where entering through
# the management port breaks every TCP session (see below): the test holds
# that consequence, which the README states as a limitation. Enforcing, the packets skip
# the host's forwarding (they enter OVN through the management port, with
# the client's source address: policy by ipBlock still applies). TCP
# sessions established before attach, and with the fast path on, survive
# attach and detach.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
. selftests/vm/lib.sh
need ovn-northd ovn-controller ovn-nbctl
. selftests/vm/ovnk_bridges.sh
. selftests/vm/ovn_node.sh
cl=ovnclient pod=ovnpod pins=/sys/fs/bpf/vmovn
FP=build/net/flowprobe
P() { build/podroute --pin-dir $pins "$@"; }
on_exit "ip link del ul0; ip link del pod0; ip netns del $cl; ip netns del $pod"
ovn_node_start node1
on_exit "P detach --unpin"

for ns in $cl $pod; do ip netns add $ns; ip -n $ns link set lo up; done
ip link add ul0 type veth peer name eth0 netns $cl
ip link add pod0 type veth peer name eth0 netns $pod
ip link set ul0 up; ip link set pod0 up
podmac=$(ip -n $pod -br link show eth0 | awk '{print $3}')
ovnk_node node1 10.128.1 ul0 br-ex 02:00:00:00:0e:01 192.0.2.1 ovn-k8s-mp0 pod0 ns1_pod-a "$podmac"
rtrmac=$OVNK_RTR_MAC
sysctl -qw net.ipv4.ip_forward=1
# NetworkPolicy for namespace ns1 (OVN-K: a port group per policy, a
# default-deny group, allow-related ACLs, the node's management address
# always allowed for kubelet probes).
ovn-nbctl pg-add pg_ns1 ns1_pod-a \
	-- --log --name=ns1_deny --severity=info acl-add pg_ns1 to-lport 1000 'outport == @pg_ns1 && ip4' drop \
	-- --log --name=ns1_allow --severity=info acl-add pg_ns1 to-lport 1001 \
		'outport == @pg_ns1 && ip4.src == 192.0.2.0/25 && (tcp.dst == 8080 || udp.dst == 8080 || icmp4)' allow-related \
	-- --log --name=ns1_node --severity=info acl-add pg_ns1 to-lport 1001 \
		'outport == @pg_ns1 && ip4.src == 10.128.1.2' allow-related || fail "ACLs"
ovn_bound k8s-node1; ovn_bound ns1_pod-a; ovn_synced

ip -n $pod addr add 10.128.1.5/24 dev eth0; ip -n $pod link set eth0 up
ip -n $pod route add default via 10.128.1.1
ip -n $cl addr add 192.0.2.2/24 dev eth0; ip -n $cl addr add 192.0.2.200/24 dev eth0
ip -n $cl link set eth0 up
ip -n $cl route add 10.128.0.0/16 via 192.0.2.1
ip -n $cl neigh replace 192.0.2.1 lladdr 02:00:00:00:0e:01 dev eth0 nud permanent

ovnk_podroute_config /tmp/ovn.yaml "$rtrmac"
reason() { P -j stats --net 1 | jq "[.[] | select(.reason == \"$1\") | .packets] | add // 0"; }

# One round of the 58 flows; what the pod received, one line per flow.
A=192.0.2.2 B=192.0.2.200
flows() {
	local out=/tmp/ovn-$1 r
	ip netns exec $pod $FP recv --port 8080 --udp 64 --tcp 8 --timeout 12 >$out.8080 & r=$!
	ip netns exec $pod $FP recv --port 9090 --udp 64 --timeout 12 >$out.9090 &
	wait_bound $pod 8080 udp tcp && wait_bound $pod 9090 udp
	ip netns exec $cl $FP send --dst 10.128.1.5 --port 8080 --src $A --flows 16 >/dev/null 2>&1 # allowed
	ip netns exec $cl $FP send --dst 10.128.1.5 --port 8080 --src $B --flows 16 >/dev/null 2>&1 # ipBlock
	ip netns exec $cl $FP send --dst 10.128.1.5 --port 9090 --src $A --flows 16 >/dev/null 2>&1 # port
	ip netns exec $cl $FP send --dst 10.128.1.5 --port 8080 --src $A --flows 4 --tcp 65536 >/dev/null 2>&1
	ip netns exec $cl timeout 8 $FP send --dst 10.128.1.5 --port 8080 --src $B --flows 2 --tcp 4096 >/dev/null 2>&1
	{
		ip netns exec $cl ping -c 2 -i 0.2 -W 2 -I $A 10.128.1.5 >/dev/null && echo "icmp $A ok" || echo "icmp $A no"
		ip netns exec $cl ping -c 2 -i 0.2 -W 2 -I $B 10.128.1.5 >/dev/null && echo "icmp $B ok" || echo "icmp $B no"
	} >$out.icmp
	wait
	# Per flow: source, port, protocol; TTL differs by design, not reachability.
	{ sed -n 's/^\(udp\|tcp\) \([0-9.]*\) \([0-9]*\) .*/8080 \1 \2 \3/p' $out.8080 | sort -u
	  sed -n 's/^\(udp\|tcp\) \([0-9.]*\) \([0-9]*\) .*/9090 \1 \2 \3/p' $out.9090 | sort -u
	  cat $out.icmp; } >$out
}
expect() { # the outcome the policy asks for
	{ for i in $(seq 0 15); do echo "8080 udp $A $((40000 + i))"; done
	  for i in $(seq 0 3); do echo "8080 tcp $A $((41000 + i))"; done; } | sort -u
	echo "icmp $A ok"; echo "icmp $B no"
}

expect >/tmp/ovn-expected
for mode in local shared; do
	ovnk_gateway_mode $mode
	b0=$(ovnk_slow_path_packets)
	flows $mode-detached
	ovnk_slow_path_grew "$b0" || { ovs-ofctl dump-flows br-ex; cat /tmp/ovn-$mode-detached; fail "$mode: without podroute, br-ex's priority-300 flow did not carry the slow path"; }
	diff -u /tmp/ovn-expected /tmp/ovn-$mode-detached || fail "$mode: without podroute, OVN's ACLs did not give the policy's outcome"
	P agent --config /tmp/ovn.yaml --once >/tmp/ovn-agent.log 2>&1 || { cat /tmp/ovn-agent.log; fail "$mode: agent"; }
	P shadow on >/dev/null || fail "shadow on"
	flows $mode-shadow
	P shadow off >/dev/null || fail "shadow off"
	l0=$(acl_log_count ns1_allow) d0=$(acl_log_count ns1_deny) r0=$(reason redirect) b0=$(ovnk_slow_path_packets)
	flows $mode-enforcing
	l1=$(acl_log_count ns1_allow) d1=$(acl_log_count ns1_deny) r1=$(reason redirect) b1=$(ovnk_slow_path_packets)
	[ "$b1" -eq "$b0" ] || fail "$mode: enforcing: $((b1 - b0)) packets took br-ex's slow-path flow"
	diff -u /tmp/ovn-$mode-detached /tmp/ovn-$mode-shadow || fail "$mode shadow: the pod received other flows than without podroute"
	if [ $mode = local ]; then
		diff -u /tmp/ovn-$mode-detached /tmp/ovn-$mode-enforcing ||
			fail "$mode enforcing: the pod received other flows than without podroute"
	else
		# Shared gateway: the request enters OVN through the management
		# port, whose conntrack zone (the node switch tracks everything
		# from k8s-node1 in it) never sees the pod's replies, which leave
		# through the gateway router. The client's ACK then meets a
		# SYN_SENT entry: ct_state +inv, dropped. UDP and ICMP are
		# unaffected; every TCP session fails. (README: Limitations.)
		grep -v '^8080 tcp ' /tmp/ovn-$mode-detached | diff -u - /tmp/ovn-$mode-enforcing ||
			fail "$mode enforcing: expected exactly the TCP sessions to fail (management port's conntrack zone)"
		ovs-appctl dpctl/dump-conntrack | grep -q "src=$A,dst=10.128.1.5,sport=41000,dport=8080.*state=SYN_SENT" ||
			fail "$mode enforcing: no half-open entry of the management port's zone"
	fi
	[ $((r1 - r0)) -ge 50 ] || fail "$mode: enforcing: only $((r1 - r0)) packets redirected into ovn-k8s-mp0"
	[ $((l1 - l0)) -ge 1 ] && [ $((d1 - d0)) -ge 1 ] ||
		fail "$mode: OVN's ACL stage did not see the fast-path packets (allow +$((l1 - l0)), deny +$((d1 - d0)))"
	flowsn=$(wc -l </tmp/ovn-expected)
	echo "$mode gateway: 58 flows, $flowsn reached the pod detached and in shadow mode," \
		"$(wc -l </tmp/ovn-$mode-enforcing) enforcing; $((r1 - r0)) packets redirected, ACL log allow +$((l1 - l0)) deny +$((d1 - d0)), br-ex's slow-path flow +0"
	P detach >/dev/null || fail "$mode: detach"
done
ovnk_gateway_mode local

# TCP sessions across the switch: one established before attach goes on
# over the fast path; one established with it goes on after detach. An
# iperf3 stream (allowed: TCP 8080 from the ipBlock), 1-second intervals:
# no error, no interval without data (a reset or a stall would show).
ip netns exec $pod iperf3 -s -p 8080 -D -1 --logfile /tmp/iperf3-s1.log || fail "iperf3 server"
session() { # NAME ACTION: a 6 s stream, ACTION 2 s into it
	local json=/tmp/iperf3-$1.json pid
	ip netns exec $cl iperf3 -c 10.128.1.5 -p 8080 -B $A -t 6 -i 1 -b 20M -J >$json & pid=$!
	sleep 2
	eval "$2" >/dev/null 2>&1 || fail "$1: $2"
	wait $pid || { cat $json; fail "$1: the TCP session failed"; }
	jq -e '.error == null and ([.intervals[].sum.bytes] | length >= 6 and min > 0)' $json >/dev/null ||
		fail "$1: an interval without data or an error: $(jq -c '[.intervals[].sum.bytes], .error' $json)"
	echo "$1: $(jq -c '[.intervals[].sum.bytes / 1000 | floor]' $json) kB per second, $(jq '.end.sum_sent.retransmits' $json) retransmits"
}
s0=$(reason redirect)
session attach "P agent --config /tmp/ovn.yaml --once"
[ $(($(reason redirect) - s0)) -ge 100 ] || fail "attach: the established session did not move to the fast path"
ip netns exec $pod iperf3 -s -p 8080 -D -1 --logfile /tmp/iperf3-s2.log || fail "iperf3 server"
sleep 0.5
s0=$(ovnk_slow_path_packets)
session detach "P detach"
[ $(($(ovnk_slow_path_packets) - s0)) -ge 100 ] || fail "detach: the session did not go back to the slow path"
# Control, for the retransmits an attach costs: the same attach with an XDP
# program of no consequence (it counts and passes every frame). Measured:
# podroute's attach costs the session 70-222 retransmits, this one 0, and
# detach 0: the burst is podroute's switch-over itself, not the veth
# reconfiguring for XDP. Consistent with reordering: segments still on the
# slow path (host forwarding) are overtaken by the first fast-path ones;
# the reverse switch (detach) cannot reorder. The session must survive all
# three (checked above and here).
vm_obj xdp_count
bpftool prog loadall "$VM_OBJ" /sys/fs/bpf/vmovn-ctl type xdp || fail "cannot load $VM_OBJ"
on_exit "rm -rf /sys/fs/bpf/vmovn-ctl"
on_exit "ip link set dev ul0 xdp off"
ip netns exec $pod iperf3 -s -p 8080 -D -1 --logfile /tmp/iperf3-s3.log || fail "iperf3 server"
sleep 0.5
session control-xdp-pass "bpftool net attach xdpdrv pinned /sys/fs/bpf/vmovn-ctl/xdp_count_a dev ul0"

echo "local gateway: the same flows with podroute off, in shadow mode and enforcing; shared gateway: the same but every TCP session enforcing (the management port's conntrack zone); TCP sessions survive attach and detach (local)"
