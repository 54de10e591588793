#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The control plane may die; the datapath must not lie (issue 13, item 4).
# East-west asks the kernel's FIB for every packet, so with the agent
# killed (-9, its maps and programs left in place):
#  - a BGP route withdrawn from the kernel is no longer fast-pathed: the pod's
#    packets get the kernel's answer (unreachable), 0 redirects;
#  - the route back through a next hop whose MAC changed: the frames reach
#    the new MAC (the kernel's neighbour entry, not a copy in a map);
#  - a restarted agent adopts the maps and the fast path carries on.
set -u
. "$(dirname "$0")/lib/topo.sh"
agent_test_begin stale
cfg=$dir/config.yaml
pod_config "$cfg" "  ovn: [mp0]"
# A remote pod prefix behind the client, learned as FRR would install it.
ip -n "$NS_CLIENT" addr add 10.244.0.10/32 dev lo
in_ns "$NS_CLIENT" sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_CLIENT" route add 10.128.1.0/24 via 192.0.2.1
ip -n "$NS_NODE" route add 10.244.0.0/16 via 192.0.2.2 dev in0 proto bgp
in_ns "$NS_NODE" ping -c1 -W2 192.0.2.2 >/dev/null || fail "client unreachable"
agent_start "$cfg" || fail "agent did not start"
wait_for "routes_jq '.[] | select(.prefix == \"10.244.0.0/16\")'" 10 || fail "the learned route is not in the maps"
red() { counter 1 redirect; }
# Replies received of N echo requests; the whole output stays in $dir/ping.
ping_remote() {
	in_ns "$NS_POD" ping -c "$1" -i 0.05 -W 1 10.244.0.10 >"$dir/ping" 2>&1
	sed -n 's/.* \([0-9]*\) received.*/\1/p' "$dir/ping"
}
r0=$(red)
[ "$(ping_remote 10)" -eq 10 ] || fail "pod -> remote prefix with the agent running"
[ $(($(red) - r0)) -ge 10 ] || fail "not fast-pathed with the agent running ($(($(red) - r0)) redirects)"

kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
routes_jq '.[] | select(.prefix == "10.244.0.0/16")' || fail "the maps were emptied when the agent died"
# Withdrawn while no agent watches: the map still holds the prefix.
ip -n "$NS_NODE" route del 10.244.0.0/16
r0=$(red)
got=$(ping_remote 10)
[ "$got" -eq 0 ] || fail "$got replies through a withdrawn route"
[ $(($(red) - r0)) -eq 0 ] || fail "$(($(red) - r0)) redirects after the route was withdrawn (the kernel says unreachable)"
# The node's ICMP answer (rate-limited per sender: the first request's).
grep -q "Unreachable" "$dir/ping" || fail "the pod did not get the kernel's unreachable: $(cat "$dir/ping")"
# Back, through the same gateway with a new MAC (a replaced router).
newmac=02:00:00:00:bb:01
ip -n "$NS_CLIENT" link set eth0 address $newmac
ip -n "$NS_NODE" neigh replace 192.0.2.2 lladdr $newmac dev in0 nud reachable
ip -n "$NS_NODE" route add 10.244.0.0/16 via 192.0.2.2 dev in0 proto bgp
r0=$(red)
[ "$(ping_remote 10)" -eq 10 ] || fail "the new MAC did not get the frames with the agent dead"
[ $(($(red) - r0)) -ge 10 ] || fail "not fast-pathed through the new MAC ($(($(red) - r0)) redirects)"

agent_start "$cfg" || fail "agent did not restart"
r0=$(red)
[ "$(ping_remote 10)" -eq 10 ] || fail "after the restart"
[ $(($(red) - r0)) -ge 10 ] || fail "not fast-pathed after the restart"
echo "agent dead: withdrawn route -> 0 redirects, kernel's unreachable; new next-hop MAC followed (10/10 fast); restart: 10/10 fast"
