#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Dual stack (scenario d): the same node also advertises its IPv6 pod
# prefix over an IPv6 eBGP session (FRR both sides). The provider learns
# fd00:10:128:1::/64; a client pings the pod's IPv6 address; the requests
# are redirected by XDP (hop limit one lower, source untouched), counted;
# the provider's BGP-learned route sends them; detach falls back.
set -u
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/frr.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
N=10
topo_create || fail "topology"
trap 'frr_stop_all; topo_cleanup' EXIT
ip -n "$NS_CLIENT" addr add 2001:db8::2/64 dev eth0 nodad
ip -n "$NS_NODE" addr add 2001:db8::1/64 dev in0 nodad
ip -n "$NS_NODE" addr add fd00:10:128:1::1/64 dev mp0 nodad
ip -n "$NS_POD" addr add fd00:10:128:1::5/64 dev eth0 nodad
ip -n "$NS_POD" -6 route add default via fd00:10:128:1::1
in_ns "$NS_NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
frr_start "$NS_CLIENT" "frr defaults datacenter
hostname provider6
router bgp 65000
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 neighbor 2001:db8::1 remote-as 65001
 address-family ipv6 unicast
  neighbor 2001:db8::1 activate
 exit-address-family
" || fail "provider FRR"
frr_start "$NS_NODE" "frr defaults datacenter
hostname node6
router bgp 65001
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 neighbor 2001:db8::2 remote-as 65000
 address-family ipv6 unicast
  neighbor 2001:db8::2 activate
  network fd00:10:128:1::/64
 exit-address-family
" || fail "node FRR"
frr_wait_established "$NS_CLIENT" 2001:db8::1 60 || fail "IPv6 BGP session"
wait_for "ip -n $NS_CLIENT -6 route show fd00:10:128:1::/64 proto bgp | grep -q ." 30 ||
	fail "the provider did not learn fd00:10:128:1::/64"

in_ns "$NS_CLIENT" ping -6 -c 2 -W 2 fd00:10:128:1::5 >/dev/null || fail "slow path v6"
node_podroute attach --underlay in0 >/dev/null 2>&1 || fail "attach"
node_podroute net set 1 port mp0 mac "$POD_MAC" antispoof || fail "net"
node_podroute prefix add fd00:10:128:1::/64 net 1 || fail "prefix"
cap=$(mktemp)
in_ns "$NS_POD" tcpdump -i eth0 -nv -c "$N" --immediate-mode 'icmp6 and ip6[40] == 128' >"$cap" 2>"$cap.err" &
tpid=$!
wait_for "grep -q 'listening on' '$cap.err'" 5 || fail "capture"
before=$(counter 1 redirect)
in_ns "$NS_CLIENT" ping -6 -c "$N" -i 0.05 -W 2 fd00:10:128:1::5 >/dev/null || fail "fast path v6: pings lost"
wait "$tpid" || fail "the pod did not see $N echo requests"
[ "$(grep -c 'hlim 63.*2001:db8::2 > fd00:10:128:1::5' "$cap")" -eq "$N" ] ||
	fail "the pod did not see $N requests from 2001:db8::2 with hop limit 63: $(head -4 "$cap")"
rm -f "$cap" "$cap.err"
[ $(( $(counter 1 redirect) - before )) -eq "$N" ] || fail "v6 redirect counter did not rise by $N"
node_podroute detach >/dev/null 2>&1 || fail "detach"
in_ns "$NS_CLIENT" ping -6 -c 2 -W 2 fd00:10:128:1::5 >/dev/null || fail "slow path after detach"
echo "IPv6: learned over BGP; $N/$N requests fast-pathed with hop limit 63 and the client's own source"
exit 0
