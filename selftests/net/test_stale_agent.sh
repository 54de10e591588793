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
# And the guard behind it (pr_liveness): with the agent gone longer than
# limits.stale_after_seconds, learned routes are left to the kernel
# (reason agent-gone) while config-driven ingress goes on; a restarted
# agent's heartbeat brings the fast path back. Expiry and recovery times
# are printed, not asserted.
set -u
. "$(dirname "$0")/lib/topo.sh"
agent_test_begin stale
cfg=$dir/config.yaml
pod_config "$cfg" "  ovn: [mp0]"
# First without the guard: the FIB alone keeps a dead agent's maps right.
echo "limits: {stale_after_seconds: 0}" >>"$cfg"
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

# The guard: bound 3 s.
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
sed -i 's/stale_after_seconds: 0/stale_after_seconds: 3/' "$cfg"
agent_start "$cfg" || fail "agent did not start with the guard"
gone() { counter 1 agent-gone; }
ms() { date +%s%3N; }
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
t_kill=$(ms) r0=$(red) g0=$(gone)
# (Each echo is two redirects: the request east-west, the reply's ingress.)
[ "$(ping_remote 1)" -eq 1 ] && [ $(($(red) - r0)) -eq 2 ] && [ "$(gone)" -eq "$g0" ] ||
	fail "the guard tripped at once, not after its bound ($(($(red) - r0)) redirects, $(($(gone) - g0)) agent-gone)"
# One echo request every 50 ms until one is left to the kernel.
for ((i = 0; i < 200; i++)); do
	ping_remote 1 >/dev/null
	[ "$(gone)" -gt "$g0" ] && break
	sleep 0.05 # the bound is time itself: there is no event to wait on
done
t_gone=$(ms)
[ "$(gone)" -gt "$g0" ] || fail "the guard did not trip within 10 s of a bound of 3 s"
r0=$(red) g0=$(gone)
[ "$(ping_remote 10)" -eq 10 ] || fail "the kernel did not forward the pod's traffic with the guard tripped"
# The requests left to the kernel; only the replies' ingress redirected.
[ $(($(gone) - g0)) -eq 10 ] || fail "agent-gone counted $(($(gone) - g0)) of 10 requests"
[ $(($(red) - r0)) -le 10 ] || fail "$(($(red) - r0)) redirects for 10 replies: learned-route traffic fast-pathed with the agent gone"
# Ingress is the config's: it goes on.
ip -n "$NS_CLIENT" route replace 10.128.1.0/24 via 192.0.2.1
r0=$(red)
in_ns "$NS_CLIENT" ping -c 5 -i 0.05 -W 1 10.128.1.5 >/dev/null || fail "client -> pod with the guard tripped"
[ $(($(red) - r0)) -ge 5 ] || fail "ingress stopped with the guard ($(($(red) - r0)) redirects)"
node_podroute status | grep -q "agent: *GONE" || fail "status does not say the agent is gone: $(node_podroute status | head -4)"
# Recovery: a new agent's heartbeat.
t_start=$(ms)
agent_start "$cfg" || fail "agent did not restart"
r0=$(red)
for ((i = 0; i < 200; i++)); do
	ping_remote 1 >/dev/null
	[ "$(red)" -gt "$r0" ] && break
done
t_back=$(ms)
[ "$(red)" -gt "$r0" ] || fail "the fast path did not come back with the agent"
r0=$(red) g0=$(gone)
[ "$(ping_remote 10)" -eq 10 ] && [ $(($(red) - r0)) -eq 20 ] && [ "$(gone)" -eq "$g0" ] ||
	fail "not fast-pathed after the agent came back ($(($(red) - r0)) redirects for 10 echoes)"
echo "agent dead: withdrawn route -> 0 redirects, kernel's unreachable; new next-hop MAC followed (10/10 fast); restart: 10/10 fast"
echo "guard (bound 3 s): tripped $((t_gone - t_kill)) ms after kill -9 (learned routes to the kernel 10/10, ingress fast 5/5); back $((t_back - t_start)) ms after the agent's exec"
