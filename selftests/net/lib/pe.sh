# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The node side of an OpenPERouter-shaped provider edge (sourced after
# topo.sh and frr.sh, by selftests/net/test_pe_router.sh on the host and
# selftests/vm/tests/test_pe_evpn.sh in the VM). The PE namespace $NS_PE
# (made by the caller, which also builds the fabric behind it) hands routes
# and traffic to the node over a veth:
#
#   pe ns: host0 192.168.10.1/30 ---- node ns: pe0 192.168.10.2/30 (the
#   underlay), FRR as FRR-k8s (AS 64515, advertises 10.128.1.0/24),
#   podroute; mp0 10.128.1.1 ---- pod ns: eth0 10.128.1.5
#
# The caller sets REMOTE_NS and REMOTE_ADDR: a namespace and address on the
# far side of the fabric, inside REMOTE_PREFIX, which reaches the node
# through the PE.
#
#   pe_node_create        the node and pod namespaces and the veth to the PE
#   pe_node_frr           FRR in the node, peering with the PE over the veth
#   pe_agent DIR          podroute's agent (underlay pe0, the pod's network
#                         behind mp0), waiting until REMOTE_PREFIX is in its
#                         maps with the PE as resolved next hop
#   pe_round DIR NAME     16 UDP flows each way between REMOTE_ADDR and the
#                         pod from ordinary sockets, 5 pings each way; what
#                         arrived (source, port, device, TTL, length, payload
#                         checksum; the pings' TTLs) in DIR/NAME
#   pe_differential DIR   one round in shadow mode (the kernel's path), one
#                         enforcing: the same must arrive, the pod must see
#                         REMOTE_ADDR (no NAT), and enforcing, both
#                         directions must be redirected on the node
PE_FP=$(dirname "$PODROUTE")/net/flowprobe

pe_node_create() {
	ip netns add "$NS_NODE" && ip netns add "$NS_POD" || fail "node and pod namespaces"
	ip -n "$NS_NODE" link set lo up; ip -n "$NS_POD" link set lo up
	ip -n "$NS_PE" link add host0 type veth peer name pe0 netns "$NS_NODE" || fail "the PE's veth"
	ip -n "$NS_NODE" link add mp0 type veth peer name eth0 netns "$NS_POD" || fail "the pod's veth"
	ip -n "$NS_NODE" addr add 192.168.10.2/30 dev pe0
	ip -n "$NS_NODE" addr add 10.128.1.1/24 dev mp0
	ip -n "$NS_POD" addr add 10.128.1.5/24 dev eth0
	ip -n "$NS_NODE" link set pe0 up; ip -n "$NS_NODE" link set mp0 up
	ip -n "$NS_POD" link set eth0 up
	ip -n "$NS_POD" route add default via 10.128.1.1
	in_ns "$NS_NODE" sysctl -qw net.ipv4.ip_forward=1
	# XDP-redirected frames need NAPI at the veths' far ends (GRO on).
	in_ns "$NS_POD" ethtool -K eth0 gro on >/dev/null
	in_ns "$NS_PE" ethtool -K host0 gro on >/dev/null
	POD_MAC=$(ip -n "$NS_POD" -br link show eth0 | awk '{print $3}')
	PE_MAC=$(ip -n "$NS_PE" -br link show host0 | awk '{print $3}')
}

pe_node_frr() {
	frr_start "$NS_NODE" "frr defaults datacenter
hostname node
router bgp 64515
 bgp router-id 192.168.10.2
 no bgp ebgp-requires-policy
 neighbor 192.168.10.1 remote-as 64514
 address-family ipv4 unicast
  network 10.128.1.0/24
 exit-address-family
" || fail "FRR in the node"
}

pe_agent() { # DIR
	cat >"$1/config.yaml" <<YAML
interfaces:
  underlay: [pe0]
  ovn: [mp0]
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: mp0, mac: $POD_MAC}
YAML
	agent_start "$1/config.yaml" || fail "agent did not start"
	wait_for "routes_jq '.[] | select(.prefix == \"$REMOTE_PREFIX\" and .action == \"nexthop\") | .nexthops[0] | .resolved and .mac == \"$PE_MAC\"'" 15 ||
		fail "$REMOTE_PREFIX not in the maps with the PE ($PE_MAC) as resolved next hop: $(node_podroute routes)"
}

pe_round() { # DIR NAME
	local out=$1/$2 r1 r2
	in_ns "$NS_POD" "$PE_FP" recv --port 8080 --udp 32 --timeout 10 >"$out.pod" & r1=$!
	in_ns "$REMOTE_NS" "$PE_FP" recv --port 9090 --udp 32 --timeout 10 >"$out.remote" & r2=$!
	wait_for "in_ns $NS_POD ss -uln | grep -q ':8080' && in_ns $REMOTE_NS ss -uln | grep -q ':9090'" 5 ||
		fail "$2: the receivers did not bind"
	in_ns "$REMOTE_NS" "$PE_FP" send --dst 10.128.1.5 --port 8080 --src "$REMOTE_ADDR" --flows 16 >/dev/null ||
		fail "$2: remote -> pod send"
	in_ns "$NS_POD" "$PE_FP" send --dst "$REMOTE_ADDR" --port 9090 --flows 16 >/dev/null || fail "$2: pod -> remote send"
	wait "$r1" "$r2"
	in_ns "$REMOTE_NS" ping -c 5 -i 0.05 -W 2 -I "$REMOTE_ADDR" 10.128.1.5 | grep -o 'ttl=[0-9]*' | sort -u >"$out.ping-in" ||
		fail "$2: the remote end cannot ping the pod"
	in_ns "$NS_POD" ping -c 5 -i 0.05 -W 2 "$REMOTE_ADDR" | grep -o 'ttl=[0-9]*' | sort -u >"$out.ping-ew" ||
		fail "$2: the pod cannot ping the remote end"
	sort "$out.pod" "$out.remote" "$out.ping-in" "$out.ping-ew" >"$out"
}

pe_differential() { # DIR
	local d=$1 r0 r1
	node_podroute shadow on >/dev/null || fail "shadow on"
	pe_round "$d" shadow
	node_podroute shadow off >/dev/null || fail "shadow off"
	r0=$(counter 1 redirect)
	pe_round "$d" enforcing
	r1=$(counter 1 redirect)
	grep -q 'received udp=32' "$d/shadow.pod" && grep -q 'received udp=32' "$d/shadow.remote" ||
		fail "the kernel's path lost datagrams through the PE: $(tail -1 "$d/shadow.pod") $(tail -1 "$d/shadow.remote")"
	grep -q "^udp $REMOTE_ADDR " "$d/shadow.pod" || fail "the pod did not see the remote end's own address (NAT?)"
	diff -u "$d/shadow" "$d/enforcing" || fail "enforcing, what arrived differs from the kernel's path"
	# 32 datagrams and 10 ping packets each way, both directions on the node.
	[ $((r1 - r0)) -ge 84 ] || fail "enforcing: only $((r1 - r0)) packets redirected, want >= 84 (32 + 10 each way)"
	echo "through the PE: 32 UDP datagrams and 10 ICMP each way, the same with podroute enforcing as in shadow mode (ping TTLs $(tr '\n' ' ' <"$d/enforcing.ping-in")/ $(tr '\n' ' ' <"$d/enforcing.ping-ew")); $((r1 - r0)) packets redirected"
}
