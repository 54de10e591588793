#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Real OVN on two nodes (issue 14): node1 is the VM's root namespace (OVN's
# databases, ovn-northd, its ovn-controller, br-ex, GR_node1, local gateway
# mode), node2 a network namespace with its own Open vSwitch and
# ovn-controller (ovn_node2.sh); the chassis' Geneve tunnel runs over the
# veth ul0 (node1's underlay, on br-ex) to node2's eth0. NetworkPolicy on
# node1's pod as OVN-K writes it for a podSelector peer: node2's pod
# (address set) may reach TCP and UDP 8080 and ping; the rest of ingress is
# denied (port 9090, and node2's host address 192.0.2.2).
#
# 30 flows a round, from real sockets on node2: UDP (8 allowed, 8 denied
# by port, 4 from the host), TCP (4 allowed, 2 denied by port, 2 from the
# host), ping from the pod and from the host. Each round must give the
# policy's outcome: the 12 allowed ones and the pod's ping, nothing else.
#
# a. Overlay east-west (first detached, last with podroute enforcing on
#    ul0): node2's pod reaches node1's pod through the Geneve tunnel (the
#    tunnel device's counter grows, node1's datapath holds a flow matching
#    tunnel packets from node2), node1's ACLs decide, and podroute changes
#    nothing: the same outcome, 0 packets redirected (Geneve is addressed
#    to the node, not to a pod prefix) while its counters saw them.
# b. Routed east-west, no overlay (what podroute is for): OVN-K's
#    no-overlay mode (OKEP-5259) removes the cross-node link of the
#    network's cluster router, so a pod's traffic to another node's pods
#    leaves through its node's gateway and follows the route that BGP
#    learned, unencapsulated and not SNATed. The OKEP spells out shared
#    gateway mode (through the gateway router to breth0) and leaves local
#    gateway mode open; its natural form, chosen here, is the host as the
#    gateway, through the management port, as for all of a local gateway
#    node's egress: the nodes here run local gateway mode, the mode in
#    which podroute keeps TCP working (README: Limitations). This VM has one
#    (centralised) ovn_cluster_router for both nodes, so two router
#    policies stand for the missing link: traffic between the two nodes'
#    subnets is rerouted to the sending node's management address. Kernel
#    routes stand for the BGP ones (10.128.1.0/24 via node1 on node2, the
#    reverse on node1). Node2's pod's packets then arrive on ul0 addressed
#    to node1's pod: detached, br-ex hands them to the host, which routes
#    them into ovn-k8s-mp0; enforcing, podroute redirects them there. The
#    30 flows give the same outcome detached, in shadow mode and
#    enforcing; podroute redirected only enforcing (in shadow mode every
#    would-be redirect passed and took br-ex's slow-path flow); node1's
#    ACL stage saw the packets (ACL log); nothing crossed the tunnel.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
. selftests/vm/lib.sh
need ovn-northd ovn-controller ovn-nbctl
. selftests/vm/ovnk_bridges.sh
. selftests/vm/ovn_node.sh
. selftests/vm/ovn_node2.sh
pod1=tn-pod1 pod2=tn-pod2 pins=/sys/fs/bpf/vmtwonode
N1=192.0.2.1 N2=192.0.2.2 A1=10.128.1.5 A2=10.128.2.5
FP=build/net/flowprobe
P() { build/podroute --pin-dir $pins "$@"; }
on_exit "ip link del pod0; ip netns del $pod1; ip netns del $pod2"
for ns in $pod1 $pod2; do ip netns add $ns; ip -n $ns link set lo up; done
ovn_node2_ns node2 ul0 $N2
ovn_node_start node1 $N1
on_exit "P detach --unpin"
sysctl -qw net.ipv4.ip_forward=1
# node2's daemons start before node1's topology: the bindings then come up together
ovn_node2_start node2 $N2
ip link add pod0 type veth peer name eth0 netns $pod1
ip link set ul0 up; ip link set pod0 up
podmac=$(ip -n $pod1 -br link show eth0 | awk '{print $3}')
ovnk_node node1 10.128.1 ul0 br-ex 02:00:00:00:0e:01 $N1 ovn-k8s-mp0 pod0 ns1_pod-a "$podmac"
rtrmac=$OVNK_RTR_MAC
ip -n $pod1 addr add $A1/24 dev eth0; ip -n $pod1 link set eth0 mtu 1400; ip -n $pod1 link set eth0 up
ip -n $pod1 route add default via 10.128.1.1
ovnk_node2 node2 10.128.2 pod0 $pod2 ns2_pod-b
# NetworkPolicy of namespace ns1: ingress from namespace ns2's pods (an
# address set, as OVN-K writes a peer's pods) to TCP/UDP 8080 and ICMP;
# the rest denied; the node's management address always allowed.
ovn-nbctl create address_set name=as_ns2 addresses='"10.128.2.5"' >/dev/null &&
	ovn-nbctl pg-add pg_ns1 ns1_pod-a \
	-- --log --name=ns1_deny --severity=info acl-add pg_ns1 to-lport 1000 'outport == @pg_ns1 && ip4' drop \
	-- --log --name=ns1_allow --severity=info acl-add pg_ns1 to-lport 1001 \
		'outport == @pg_ns1 && ip4.src == $as_ns2 && (tcp.dst == 8080 || udp.dst == 8080 || icmp4)' allow-related \
	-- acl-add pg_ns1 to-lport 1001 'outport == @pg_ns1 && ip4.src == 10.128.1.2' allow-related || fail "ACLs"
ovn_bound k8s-node1; ovn_bound ns1_pod-a; ovn_bound k8s-node2; ovn_bound ns2_pod-b
ovnk_gateway_mode local

ovnk_podroute_config /tmp/twonode.yaml "$rtrmac"
# podroute's counters summed over networks: "REDIRECT SHADOW ALL" (packets;
# 0 0 0 while it is detached and has no maps)
counters() {
	P -j stats --all 2>/dev/null | jq -r 'if type == "array" then
		[([.[] | select(.reason == "redirect") | .packets] | add // 0),
		 ([.[] | select(.reason == "shadow") | .packets] | add // 0), ([.[].packets] | add // 0)]
		else [0, 0, 0] end | @tsv'
}
geneve_rx() { ip -j -s link show genev_sys_6081 | jq '.[0].stats64.rx.packets'; }

# One round of 30 flows to node1's pod, from node2's pod ($A2) and host
# ($N2), from real sockets; what the pod received, one line per flow.
flows() {
	local out=/tmp/tn-$1 s=(ip netns exec node2 "$FP" send --dst "$A1") p=(ip netns exec "$pod2" "$FP" send --dst "$A1")
	ip netns exec $pod1 $FP recv --port 8080 --udp 16 --tcp 4 --timeout 10 >$out.8080 &
	ip netns exec $pod1 $FP recv --port 9090 --udp 1 --timeout 6 >$out.9090 &
	wait_bound $pod1 8080 udp tcp && wait_bound $pod1 9090 udp
	# The denied ones in the background: connections that never open
	# give up after 5 s, unanswered pings after 2.
	timeout 5 "${p[@]}" --port 9090 --src $A2 --flows 2 --tcp 4096 >/dev/null 2>&1 &
	timeout 5 "${s[@]}" --port 8080 --src $N2 --flows 2 --tcp 4096 >/dev/null 2>&1 &
	ip netns exec node2 ping -c 2 -i 0.2 -W 2 -I $N2 $A1 >/dev/null && echo "icmp $N2 ok" >$out.icmp2 ||
		echo "icmp $N2 no" >$out.icmp2 &
	"${s[@]}" --port 8080 --src $N2 --flows 4 >/dev/null 2>&1 &     # denied: not a peer
	"${p[@]}" --port 9090 --src $A2 --flows 8 >/dev/null 2>&1 &     # denied: port
	"${p[@]}" --port 8080 --src $A2 --flows 8 >/dev/null 2>&1       # allowed
	"${p[@]}" --port 8080 --src $A2 --flows 4 --tcp 65536 >/dev/null 2>&1 # allowed
	ip netns exec $pod2 ping -c 2 -i 0.2 -W 2 $A1 >/dev/null && echo "icmp $A2 ok" >$out.icmp ||
		echo "icmp $A2 no" >$out.icmp
	wait
	{ sed -n 's/^\(udp\|tcp\) \([0-9.]*\) \([0-9]*\) .*/8080 \1 \2 \3/p' $out.8080 | sort -u
	  sed -n 's/^\(udp\|tcp\) \([0-9.]*\) \([0-9]*\) .*/9090 \1 \2 \3/p' $out.9090 | sort -u
	  cat $out.icmp $out.icmp2; } >$out
}
{ for i in $(seq 0 7); do echo "8080 udp $A2 $((40000 + i))"; done
  for i in $(seq 0 3); do echo "8080 tcp $A2 $((41000 + i))"; done; } | sort -u >/tmp/tn-expected
printf 'icmp %s ok\nicmp %s no\n' $A2 $N2 >>/tmp/tn-expected
outcome() { # ROUND WHAT: the round's outcome is the policy's
	diff -u /tmp/tn-expected /tmp/tn-$1 || fail "$2: node1's pod did not get exactly what its policy allows"
}
# overlay MODE: a round through the tunnel; podroute on ul0 sees only
# Geneve addressed to the node and leaves it alone.
overlay() {
	read -r r0 _ s0 < <(counters); g0=$(geneve_rx)
	flows overlay-$1
	read -r r1 _ s1 < <(counters); g1=$(geneve_rx)
	outcome overlay-$1 "overlay, $1"
	[ $((g1 - g0)) -ge 30 ] || fail "overlay, $1: only $((g1 - g0)) packets came through the Geneve tunnel"
	ovs-appctl dpctl/dump-flows | grep -q "tunnel(.*src=$N2" ||
		fail "overlay, $1: node1's datapath has no flow for tunnel packets from node2"
}

# a. Overlay, detached (enforcing at the end, after b.).
overlay detached

# b. Routed, no overlay (see the top): both directions through the
# sending node's management port and host, kernel routes for BGP's.
# The policies match the router port the packet came in on, as OVN-K's
# do: a packet podroute (or node1's host) hands to ovn-k8s-mp0 comes in
# on rtos-node1 with node2's pod as its source, and must not go back.
ovn-nbctl lr-policy-add ovn_cluster_router 1005 'inport == "rtos-node2" && ip4.dst == 10.128.1.0/24' \
	reroute 10.128.2.2 \
	-- lr-policy-add ovn_cluster_router 1005 'inport == "rtos-node1" && ip4.dst == 10.128.2.0/24' \
	reroute 10.128.1.2 || fail "no-overlay router policies"
ip -n node2 route add 10.128.1.0/24 via $N1 dev eth0 || fail "node2: route to node1's pods"
ip route add 10.128.2.0/24 via $N2 dev br-ex || fail "node1: route to node2's pods"
ovn_synced
routed() { # MODE
	read -r r0 h0 _ < <(counters); g0=$(geneve_rx) b0=$(ovnk_slow_path_packets)
	l0=$(acl_log_count ns1_allow) d0=$(acl_log_count ns1_deny)
	flows routed-$1
	read -r r1 h1 _ < <(counters); g1=$(geneve_rx) b1=$(ovnk_slow_path_packets)
	l1=$(acl_log_count ns1_allow) d1=$(acl_log_count ns1_deny)
	[ "$g1" -eq "$g0" ] || fail "routed, $1: $((g1 - g0)) packets crossed the Geneve tunnel"
}
routed detached
outcome routed-detached "routed, detached"
ovnk_slow_path_grew "$b0" || fail "routed, detached: br-ex did not hand node1's pod traffic to the host"
P agent --config /tmp/twonode.yaml --once >/tmp/tn-agent.log 2>&1 || { cat /tmp/tn-agent.log; fail "agent"; }
P shadow on >/dev/null || fail "shadow on"
routed shadow
P shadow off >/dev/null || fail "shadow off"
diff -u /tmp/tn-routed-detached /tmp/tn-routed-shadow || fail "routed, shadow: other flows than detached"
# Shadow mode counts what it would have done (redirect) and that it passed
# instead (shadow): every would-be redirect passed, and took the slow path.
[ $((h1 - h0)) -ge 20 ] && [ $((r1 - r0)) -eq $((h1 - h0)) ] ||
	fail "routed, shadow: redirect +$((r1 - r0)), shadow +$((h1 - h0)) (want the same, >= 20)"
ovnk_slow_path_grew "$b0" || fail "routed, shadow: br-ex did not hand node1's pod traffic to the host"
routed enforcing
diff -u /tmp/tn-routed-detached /tmp/tn-routed-enforcing || fail "routed, enforcing: other flows than detached"
[ $((r1 - r0)) -ge 20 ] && [ "$h1" -eq "$h0" ] ||
	fail "routed, enforcing: $((r1 - r0)) packets redirected into ovn-k8s-mp0 (want >= 20), shadow +$((h1 - h0))"
[ "$b1" -eq "$b0" ] || fail "routed, enforcing: $((b1 - b0)) packets took br-ex's slow-path flow"
[ $((l1 - l0)) -ge 1 ] && [ $((d1 - d0)) -ge 1 ] ||
	fail "routed, enforcing: node1's ACL stage did not see the packets (allow +$((l1 - l0)), deny +$((d1 - d0)))"
echo "routed: 30 flows, the same $(wc -l </tmp/tn-expected) reached the pod detached, in shadow mode and" \
	"enforcing (0 differences); enforcing $((r1 - r0)) packets redirected into ovn-k8s-mp0," \
	"ACL log allow +$((l1 - l0)) deny +$((d1 - d0)), br-ex's slow-path flow +0, tunnel +0"

# a. Overlay again, podroute still enforcing: the cross-node link back
# (no policies), no routes between the nodes' pod subnets.
ovn-nbctl lr-policy-del ovn_cluster_router 1005 || fail "no-overlay router policies: delete"
ip -n node2 route del 10.128.1.0/24 && ip route del 10.128.2.0/24 || fail "routes between the nodes: delete"
ovn_synced
overlay enforcing
[ "$r1" -eq "$r0" ] || fail "overlay, enforcing: podroute redirected $((r1 - r0)) packets (Geneve is for the node)"
[ $((s1 - s0)) -ge $((g1 - g0)) ] ||
	fail "overlay, enforcing: podroute counted $((s1 - s0)) packets, fewer than the $((g1 - g0)) tunnelled"
echo "overlay: 30 flows, the same $(wc -l </tmp/tn-expected) reached the pod detached and enforcing;" \
	"$((g1 - g0)) Geneve packets, podroute counted $((s1 - s0)) (its hooks on ul0 and br-ex) and redirected 0"
