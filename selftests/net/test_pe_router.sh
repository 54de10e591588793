#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# An OpenPERouter-shaped provider edge (issue 14): the node does not peer
# with the fabric itself; a PE router (FRR in its own namespace, holding
# the fabric-facing link) peers with the fabric and hands routes and
# traffic to the host over a veth, with a BGP session across it (L3
# passthrough). podroute runs on the host's end of that veth, which is the
# node's underlay:
#
#   fabric ns (AS 65100)            pe ns (AS 64514)              node ns (AS 64515)          pod ns
#   10.200.0.1 on lo                                              FRR (as FRR-k8s) + podroute
#   fab0 10.255.0.1/30 ---- fab 10.255.0.2/30
#                           host0 192.168.10.1/30 ---- pe0 192.168.10.2/30 (underlay)
#                                                      mp0 10.128.1.1 --------------- eth0 10.128.1.5
#
# The node advertises its pod subnet to the PE, which passes it to the
# fabric; the fabric's 10.200.0.0/16 comes back the same way. Then:
#  - routes: 10.200.0.0/16 is in the node's kernel (proto bgp) and in
#    podroute's maps with the PE as resolved next hop, and the fabric has
#    10.128.1.0/24 through the PE;
#  - ingress and east-west through the PE, differentially: UDP from the
#    fabric's sockets to the pod and from the pod to the fabric, and pings
#    both ways, with podroute in shadow mode (the kernel's path) and
#    enforcing: the same datagrams arrive with the same TTLs and bytes, the
#    source is the fabric's own address (no NAT), and enforcing they are
#    redirected (ingress pe0 -> mp0, east-west mp0 -> pe0);
#  - a withdrawal at the fabric crosses the PE: the route leaves the node's
#    kernel and podroute's maps, and nothing more is redirected to it.
set -u
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/frr.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
NS_FABRIC=prf-$TOPO_ID NS_PE=pre-$TOPO_ID
FP=$(dirname "$PODROUTE")/net/flowprobe
dir=$(mktemp -d /run/prtest-pe.XXXXXX)
AGENT_LOG=$dir/agent.log
fail() { echo "FAIL: $*"; tail -8 "$AGENT_LOG" 2>/dev/null | sed 's/^/  agent: /'; exit 1; }
cleanup() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	frr_stop_all
	topo_cleanup
	ip netns del "$NS_FABRIC" 2>/dev/null
	ip netns del "$NS_PE" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

for ns in "$NS_FABRIC" "$NS_PE" "$NS_NODE" "$NS_POD"; do
	ip netns add "$ns" && ip -n "$ns" link set lo up || fail "namespace $ns"
done
ip -n "$NS_FABRIC" link add fab0 type veth peer name fab netns "$NS_PE"
ip -n "$NS_PE" link add host0 type veth peer name pe0 netns "$NS_NODE"
ip -n "$NS_NODE" link add mp0 type veth peer name eth0 netns "$NS_POD"
ip -n "$NS_FABRIC" addr add 10.255.0.1/30 dev fab0
ip -n "$NS_FABRIC" addr add 10.200.0.1/32 dev lo
ip -n "$NS_PE" addr add 10.255.0.2/30 dev fab
ip -n "$NS_PE" addr add 192.168.10.1/30 dev host0
ip -n "$NS_NODE" addr add 192.168.10.2/30 dev pe0
ip -n "$NS_NODE" addr add 10.128.1.1/24 dev mp0
ip -n "$NS_POD" addr add 10.128.1.5/24 dev eth0
ip -n "$NS_FABRIC" link set fab0 up
ip -n "$NS_PE" link set fab up; ip -n "$NS_PE" link set host0 up
ip -n "$NS_NODE" link set pe0 up; ip -n "$NS_NODE" link set mp0 up
ip -n "$NS_POD" link set eth0 up
ip -n "$NS_POD" route add default via 10.128.1.1
for ns in "$NS_PE" "$NS_NODE"; do in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1; done
# XDP-redirected frames need NAPI at the veths' far ends (GRO on).
in_ns "$NS_POD" ethtool -K eth0 gro on >/dev/null
in_ns "$NS_PE" ethtool -K host0 gro on >/dev/null
POD_MAC=$(ip -n "$NS_POD" -br link show eth0 | awk '{print $3}')
PE_MAC=$(ip -n "$NS_PE" -br link show host0 | awk '{print $3}')

frr_start "$NS_FABRIC" "frr defaults datacenter
hostname fabric
router bgp 65100
 bgp router-id 10.255.0.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.255.0.2 remote-as 64514
 address-family ipv4 unicast
  network 10.200.0.0/16
 exit-address-family
" || fail "FRR in the fabric"
# The PE: a session with the fabric and one with the host over the veth,
# passing routes through in both directions.
frr_start "$NS_PE" "frr defaults datacenter
hostname pe
router bgp 64514
 bgp router-id 10.255.0.2
 no bgp ebgp-requires-policy
 neighbor 10.255.0.1 remote-as 65100
 neighbor 192.168.10.2 remote-as 64515
 address-family ipv4 unicast
 exit-address-family
" || fail "FRR in the PE"
# The node, as FRR-k8s for a RouteAdvertisements object: its pod subnet.
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
frr_wait_established "$NS_PE" 10.255.0.1 60 || fail "no session between the PE and the fabric"
frr_wait_established "$NS_PE" 192.168.10.2 60 || fail "no session between the PE and the node"
wait_for "ip -n $NS_NODE route show 10.200.0.0/16 proto bgp | grep -q 'via 192.168.10.1'" 30 ||
	fail "the node did not learn 10.200.0.0/16 through the PE"
wait_for "ip -n $NS_FABRIC route show 10.128.1.0/24 proto bgp | grep -q 'via 10.255.0.2'" 30 ||
	fail "the fabric did not learn 10.128.1.0/24 through the PE"

cat >"$dir/config.yaml" <<YAML
interfaces:
  underlay: [pe0]
  ovn: [mp0]
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: mp0, mac: $POD_MAC}
YAML
agent_start "$dir/config.yaml" || fail "agent did not start"
wait_for "routes_jq '.[] | select(.prefix == \"10.200.0.0/16\" and .action == \"nexthop\") | .nexthops[0] | .resolved and .mac == \"$PE_MAC\"'" 15 ||
	fail "10.200.0.0/16 not in the maps with the PE ($PE_MAC) as resolved next hop: $(node_podroute routes)"

# One round: 16 UDP flows each way from ordinary sockets (default offloads),
# 5 pings each way; what arrived, one line per datagram (source, port,
# device, TTL, length, checksum of the payload), and the ping replies' TTLs.
round() { # NAME
	local out=$dir/$1 r1 r2
	in_ns "$NS_POD" "$FP" recv --port 8080 --udp 32 --timeout 10 >"$out.pod" & r1=$!
	in_ns "$NS_FABRIC" "$FP" recv --port 9090 --udp 32 --timeout 10 >"$out.fabric" & r2=$!
	wait_for "in_ns $NS_POD ss -uln | grep -q ':8080' && in_ns $NS_FABRIC ss -uln | grep -q ':9090'" 5 ||
		fail "$1: the receivers did not bind"
	in_ns "$NS_FABRIC" "$FP" send --dst 10.128.1.5 --port 8080 --src 10.200.0.1 --flows 16 >/dev/null ||
		fail "$1: fabric -> pod send"
	in_ns "$NS_POD" "$FP" send --dst 10.200.0.1 --port 9090 --flows 16 >/dev/null || fail "$1: pod -> fabric send"
	wait "$r1" "$r2"
	in_ns "$NS_FABRIC" ping -c 5 -i 0.05 -W 2 -I 10.200.0.1 10.128.1.5 | grep -o 'ttl=[0-9]*' | sort -u >"$out.ping-in" ||
		fail "$1: fabric cannot ping the pod"
	in_ns "$NS_POD" ping -c 5 -i 0.05 -W 2 10.200.0.1 | grep -o 'ttl=[0-9]*' | sort -u >"$out.ping-ew" ||
		fail "$1: the pod cannot ping the fabric"
	sort "$out.pod" "$out.fabric" "$out.ping-in" "$out.ping-ew" >"$out"
}
node_podroute shadow on >/dev/null || fail "shadow on"
round shadow
node_podroute shadow off >/dev/null || fail "shadow off"
r0=$(counter 1 redirect)
round enforcing
r1=$(counter 1 redirect)
grep -q 'received udp=32' "$dir/shadow.pod" && grep -q 'received udp=32' "$dir/shadow.fabric" ||
	fail "the kernel's path lost datagrams through the PE: $(tail -1 "$dir/shadow.pod") $(tail -1 "$dir/shadow.fabric")"
grep -q '^udp 10.200.0.1 ' "$dir/shadow.pod" || fail "the pod did not see the fabric's own address (NAT?)"
diff -u "$dir/shadow" "$dir/enforcing" || fail "enforcing, what arrived differs from the kernel's path"
# 32 datagrams and 10 ping packets each way, both directions on the node.
[ $((r1 - r0)) -ge 84 ] || fail "enforcing: only $((r1 - r0)) packets redirected, want >= 84 (32 + 10 each way)"
echo "through the PE: 32 UDP datagrams and 10 ICMP each way, the same with podroute enforcing as in shadow mode (TTLs $(tr '\n' ' ' <"$dir/enforcing.ping-in")/ $(tr '\n' ' ' <"$dir/enforcing.ping-ew")); $((r1 - r0)) packets redirected"

# A withdrawal at the fabric crosses the PE.
frr_vtysh "$NS_FABRIC" "configure terminal" "router bgp 65100" "address-family ipv4 unicast" "no network 10.200.0.0/16" >/dev/null
wait_for "! ip -n $NS_NODE route show 10.200.0.0/16 | grep -q ." 30 || fail "the withdrawal did not reach the node's kernel"
wait_for "! routes_jq '.[] | select(.prefix == \"10.200.0.0/16\")'" 10 || fail "the withdrawn prefix is still in the maps"
r0=$(counter 1 redirect)
in_ns "$NS_POD" ping -c 3 -i 0.1 -W 1 10.200.0.1 >/dev/null 2>&1 && fail "the pod still reaches a withdrawn prefix"
[ "$(counter 1 redirect)" -eq "$r0" ] || fail "packets to a withdrawn prefix were redirected"
echo "a withdrawal at the fabric crossed the PE: gone from the node's kernel and the maps, 0 redirects"
exit 0
