#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# An OpenPERouter-shaped provider edge with EVPN type-5 (issue 14): as
# selftests/net/test_pe_router.sh, but the PE and the fabric router carry
# the L3 network in a VRF (red, table 1100, L3 VNI 100) and exchange its
# routes as EVPN type-5 over VXLAN; the PE hands them to the node over the
# veth enslaved to its VRF. The node sees plain BGP and plain IP; podroute
# on its end of the veth serves ingress to the pod prefix and east-west to
# the remote network through it (selftests/net/lib/pe.sh).
#
#   remote ns 10.200.0.2 ---- fabric ns: r0 10.200.0.1 [vrf red]   (AS 65100)
#                             fab0 10.255.0.1 === VXLAN 100 ===  pe ns: fab 10.255.0.2   (AS 64514)
#                                                                host0 192.168.10.1 [vrf red] ---- node ns: pe0
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
. selftests/vm/lib.sh
need vtysh
TOPO_ID=vme$$
. selftests/net/lib/topo.sh
. selftests/net/lib/frr.sh
. selftests/net/lib/pe.sh
NS_FABRIC=prf-$TOPO_ID NS_PE=pre-$TOPO_ID NS_REMOTE=prr-$TOPO_ID
REMOTE_NS=$NS_REMOTE REMOTE_ADDR=10.200.0.2 REMOTE_PREFIX=10.200.0.0/24
dir=$(mktemp -d /tmp/pe-evpn.XXXXXX)
AGENT_LOG=$dir/agent.log
on_exit "rm -rf $dir"
on_exit "for ns in $NS_FABRIC $NS_PE $NS_REMOTE; do ip netns del \$ns; done"
on_exit "topo_cleanup"
on_exit "frr_stop_all"
on_exit '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID"'
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

for ns in "$NS_FABRIC" "$NS_PE" "$NS_REMOTE"; do
	ip netns add "$ns" && ip -n "$ns" link set lo up || fail "namespace $ns"
done
ip -n "$NS_FABRIC" link add fab0 type veth peer name fab netns "$NS_PE"
ip -n "$NS_FABRIC" link add r0 type veth peer name eth0 netns "$NS_REMOTE"
ip -n "$NS_FABRIC" addr add 10.255.0.1/30 dev fab0
ip -n "$NS_PE" addr add 10.255.0.2/30 dev fab
ip -n "$NS_REMOTE" addr add 10.200.0.2/24 dev eth0
pe_node_create
# One L3 VNI per side: a VRF, a bridge in it, the VXLAN device on the bridge.
l3vni() { # NS LOCAL_VTEP
	ip -n "$1" link add red type vrf table 1100 &&
		ip -n "$1" link add br100 type bridge &&
		ip -n "$1" link set br100 master red addrgenmode none &&
		ip -n "$1" link add vxlan100 type vxlan id 100 dstport 4789 local "$2" nolearning &&
		ip -n "$1" link set vxlan100 master br100 addrgenmode none &&
		ip -n "$1" link set vxlan100 type bridge_slave neigh_suppress on learning off &&
		for d in red br100 vxlan100; do ip -n "$1" link set "$d" up || return 1; done
}
l3vni "$NS_FABRIC" 10.255.0.1 || fail "the fabric's L3 VNI (VRF, bridge, VXLAN)"
l3vni "$NS_PE" 10.255.0.2 || fail "the PE's L3 VNI"
ip -n "$NS_FABRIC" link set r0 master red && ip -n "$NS_FABRIC" addr add 10.200.0.1/24 dev r0 || fail "r0"
ip -n "$NS_PE" link set host0 master red && ip -n "$NS_PE" addr add 192.168.10.1/30 dev host0 || fail "host0"
for l in "$NS_FABRIC fab0" "$NS_FABRIC r0" "$NS_PE fab" "$NS_PE host0" "$NS_REMOTE eth0"; do
	read -r ns d <<<"$l"; ip -n "$ns" link set "$d" up
done
ip -n "$NS_REMOTE" route add default via 10.200.0.1
for ns in "$NS_FABRIC" "$NS_PE"; do in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1; done
in_ns "$NS_REMOTE" ethtool -K eth0 gro on >/dev/null

evpn_conf() { # HOSTNAME ASN ROUTER_ID PEER PEER_ASN [VRF BGP LINES]
	echo "frr defaults datacenter
hostname $1
vrf red
 vni 100
exit-vrf
router bgp $2
 bgp router-id $3
 no bgp ebgp-requires-policy
 neighbor $4 remote-as $5
 address-family l2vpn evpn
  neighbor $4 activate
  advertise-all-vni
 exit-address-family
exit
router bgp $2 vrf red
 bgp router-id $3
 no bgp ebgp-requires-policy
${6:-}
 address-family l2vpn evpn
  advertise ipv4 unicast
 exit-address-family
exit"
}
frr_start "$NS_FABRIC" "$(evpn_conf fabric 65100 10.255.0.1 10.255.0.2 64514 " address-family ipv4 unicast
  redistribute connected
 exit-address-family")" || fail "FRR in the fabric"
frr_start "$NS_PE" "$(evpn_conf pe 64514 10.255.0.2 10.255.0.1 65100 " neighbor 192.168.10.2 remote-as 64515
 address-family ipv4 unicast
 exit-address-family")" || fail "FRR in the PE"
pe_node_frr
frr_wait_established "$NS_PE" 10.255.0.1 90 || fail "no EVPN session between the PE and the fabric"
wait_for "frr_vtysh $NS_PE 'show bgp vrf red neighbors 192.168.10.2 json' | jq -e '.\"192.168.10.2\".bgpState == \"Established\"' >/dev/null" 90 ||
	fail "no session between the PE's VRF and the node"
wait_for "ip -n $NS_NODE route show $REMOTE_PREFIX proto bgp | grep -q 'via 192.168.10.1'" 60 ||
	fail "the node did not learn $REMOTE_PREFIX (type-5 from the fabric, through the PE): $(frr_vtysh "$NS_PE" 'show bgp l2vpn evpn route type prefix' 2>&1 | tail -20)"
wait_for "ip -n $NS_FABRIC route show vrf red 10.128.1.0/24 | grep -q ." 60 ||
	fail "the fabric's VRF did not learn 10.128.1.0/24 as a type-5 route"
frr_vtysh "$NS_FABRIC" "show bgp l2vpn evpn route type prefix" | grep -q '10.128.1.0' ||
	fail "10.128.1.0/24 is not an EVPN type-5 route at the fabric"

pe_agent "$dir"
pe_differential "$dir"
# The fabric's side of it went over VXLAN: the fabric's VRF route is
# through the VNI's bridge, encapsulated to the PE's VTEP.
ip -n "$NS_FABRIC" -s link show vxlan100 | awk '/TX:/ { getline; exit !($2 > 0) }' ||
	fail "nothing left the fabric through vxlan100"
echo "EVPN type-5 between the PE and the fabric (VRF red, L3 VNI 100, VXLAN): the node learned $REMOTE_PREFIX through the PE's VRF and the fabric 10.128.1.0/24 as a type-5 route"
