#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# An OpenPERouter-shaped provider edge, L3 passthrough (issue 14): the node
# does not peer with the fabric itself; a PE router (FRR in its own
# namespace, holding the fabric-facing link) peers with the fabric and
# hands routes and traffic to the host over a veth, with a BGP session
# across it. podroute runs on the host's end of that veth, which is the
# node's underlay (lib/pe.sh has the node's side):
#
#   fabric ns (AS 65100)         pe ns (AS 64514)                 node ns (AS 64515)
#   10.200.0.1 on lo
#   fab0 10.255.0.1/30 ---- fab 10.255.0.2/30
#                           host0 192.168.10.1/30 ---- pe0 192.168.10.2/30 (underlay) + pod
#
# The node's pod subnet reaches the fabric through the PE, the fabric's
# 10.200.0.0/16 the node. Then: 10.200.0.0/16 is in podroute's maps with
# the PE as resolved next hop; UDP from sockets and pings, ingress and
# east-west through the PE, give the same datagrams, TTLs and bytes with
# podroute enforcing as in shadow mode (the kernel's path), from the
# fabric's own address; a withdrawal at the fabric crosses the PE: the
# route leaves the node's kernel and the maps, and nothing is redirected to
# it any more. The same with EVPN type-5 between the PE and the fabric:
# selftests/vm/tests/test_pe_evpn.sh (it needs VRFs).
set -u
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/frr.sh"
. "$(dirname "$0")/lib/pe.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
NS_FABRIC=prf-$TOPO_ID NS_PE=pre-$TOPO_ID
REMOTE_NS=$NS_FABRIC REMOTE_ADDR=10.200.0.1 REMOTE_PREFIX=10.200.0.0/16
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

for ns in "$NS_FABRIC" "$NS_PE"; do
	ip netns add "$ns" && ip -n "$ns" link set lo up || fail "namespace $ns"
done
ip -n "$NS_FABRIC" link add fab0 type veth peer name fab netns "$NS_PE"
ip -n "$NS_FABRIC" addr add 10.255.0.1/30 dev fab0
ip -n "$NS_FABRIC" addr add 10.200.0.1/32 dev lo
ip -n "$NS_PE" addr add 10.255.0.2/30 dev fab
pe_node_create
ip -n "$NS_PE" addr add 192.168.10.1/30 dev host0
ip -n "$NS_FABRIC" link set fab0 up
ip -n "$NS_PE" link set fab up; ip -n "$NS_PE" link set host0 up
in_ns "$NS_PE" sysctl -qw net.ipv4.ip_forward=1

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
pe_node_frr
frr_wait_established "$NS_PE" 10.255.0.1 60 || fail "no session between the PE and the fabric"
frr_wait_established "$NS_PE" 192.168.10.2 60 || fail "no session between the PE and the node"
wait_for "ip -n $NS_NODE route show $REMOTE_PREFIX proto bgp | grep -q 'via 192.168.10.1'" 30 ||
	fail "the node did not learn $REMOTE_PREFIX through the PE"
wait_for "ip -n $NS_FABRIC route show 10.128.1.0/24 proto bgp | grep -q 'via 10.255.0.2'" 30 ||
	fail "the fabric did not learn 10.128.1.0/24 through the PE"

pe_agent "$dir"
pe_differential "$dir"

# A withdrawal at the fabric crosses the PE.
frr_vtysh "$NS_FABRIC" "configure terminal" "router bgp 65100" "address-family ipv4 unicast" "no network 10.200.0.0/16" >/dev/null
wait_for "! ip -n $NS_NODE route show $REMOTE_PREFIX | grep -q ." 30 || fail "the withdrawal did not reach the node's kernel"
wait_for "! routes_jq '.[] | select(.prefix == \"$REMOTE_PREFIX\")'" 10 || fail "the withdrawn prefix is still in the maps"
r0=$(counter 1 redirect)
in_ns "$NS_POD" ping -c 3 -i 0.1 -W 1 "$REMOTE_ADDR" >/dev/null 2>&1 && fail "the pod still reaches a withdrawn prefix"
[ "$(counter 1 redirect)" -eq "$r0" ] || fail "packets to a withdrawn prefix were redirected"
echo "a withdrawal at the fabric crossed the PE: gone from the node's kernel and the maps, 0 redirects"
exit 0
