#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Program tests: build a private network namespace with the devices the
# cases refer to (veth pairs in0, tgt0..2, ul1, ovn0) and a routing table
# 100 standing for a VRF, run the test binary inside it, and tear it all
# down whatever happens. Usage: run.sh <test_progs binary> [case filter]
set -u
bin=$1; shift
if [ "$(id -u)" -ne 0 ]; then
	echo "prog: 0 passed, 0 failed, 1 skipped (needs root)"
	exit 0
fi
ns=prtest-$$
cleanup() { ip netns del "$ns" 2>/dev/null; }
trap cleanup EXIT
ip netns add "$ns" || exit 1
nsx() { ip -n "$ns" "$@"; }
set -e
nsx link set lo up
i=1
for d in in0 in1 tgt0 tgt1 tgt2 ul1 ovn0; do
	nsx link add "$d" address "02:00:00:00:0$i:01" type veth peer name "${d}p" address "02:00:00:00:0$i:02"
	nsx link set "$d" up
	nsx link set "${d}p" up
	i=$((i + 1))
done
ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# The live tests' sender must stay silent (no ND/MLD of its own), and the
# targets' far ends need NAPI to accept frames redirected by XDP.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.in0p.disable_ipv6=1
for d in tgt0p tgt1p tgt2p ul1p; do ip netns exec "$ns" ethtool -K "$d" gro on >/dev/null; done
# Table 100: the VRF's table of network 4 (resolved, unresolved, blackhole).
nsx addr add 10.50.0.254/16 dev tgt1
nsx route add 10.50.0.0/16 dev tgt1 table 100
nsx neigh replace 10.50.1.1 lladdr 02:00:00:00:50:01 dev tgt1 nud permanent
nsx route add 10.51.0.0/16 via 10.50.9.9 dev tgt1 table 100
nsx route add blackhole 10.52.0.0/16 table 100
nsx route add 10.68.0.0/16 dev tgt1 table 100
nsx neigh replace 10.68.1.1 lladdr 02:00:00:00:50:01 dev tgt1 nud permanent
nsx -6 addr add fd00:50::fe/64 dev tgt1 nodad
nsx -6 route add fd00:50::/64 dev tgt1 table 100
nsx -6 neigh replace fd00:50::1 lladdr 02:00:00:00:50:06 dev tgt1 nud permanent
# East-west: the kernel's own routes to the BGP-learned prefixes (the
# datapath asks its FIB), on ul1 via routers R1 (.1) and R2 (.2).
nsx addr add 192.0.2.254/24 dev ul1
nsx -6 addr add fd00:192::fe/64 dev ul1 nodad
nsx neigh replace 192.0.2.1 lladdr 02:00:00:00:a0:01 dev ul1 nud permanent
nsx neigh replace 192.0.2.2 lladdr 02:00:00:00:a0:02 dev ul1 nud permanent
nsx -6 neigh replace fd00:192::1 lladdr 02:00:00:00:a0:01 dev ul1 nud permanent
nsx -6 neigh replace fd00:192::2 lladdr 02:00:00:00:a0:02 dev ul1 nud permanent
nsx route add 10.200.0.0/16 via 192.0.2.1 dev ul1 proto bgp
nsx route add 10.201.0.0/16 proto bgp nexthop via 192.0.2.1 dev ul1 nexthop via 192.0.2.2 dev ul1
nsx route add 10.202.0.0/16 via 192.0.2.3 dev ul1 proto bgp          # no neighbour yet
# 10.203/16: in the maps, but the kernel has no route (withdrawn).
nsx -6 route add fd00:200::/32 via fd00:192::1 dev ul1 proto bgp
nsx -6 route add fd00:201::/32 proto bgp nexthop via fd00:192::1 dev ul1 nexthop via fd00:192::2 dev ul1
# Inside 10.200/16, what the kernel does not send to the BGP next hop:
nsx addr add 10.200.7.7/32 dev lo                                    # the node's own address
nsx route add blackhole 10.200.5.0/24                                # a blackhole
nsx route add 10.200.6.0/24 dev in1p                                 # a static route, other device
nsx neigh replace 10.200.6.1 lladdr 02:00:00:00:a0:66 dev in1p nud permanent
nsx route add 10.200.4.0/24 dev ul1                                  # connected: delivered directly
nsx neigh replace 10.200.4.4 lladdr 02:00:00:00:a0:44 dev ul1 nud permanent
nsx link set ul1 mtu 1400                                            # for frag-needed
# The pods behind ovn0, so that the kernel's own lookups from ovn0 (ip
# route get ... iif ovn0) pass reverse-path checks.
nsx route add 10.128.0.0/16 dev ovn0
nsx -6 route add fd00:10:128::/48 dev ovn0
set +e
ip netns exec "$ns" "$bin" "$@"
