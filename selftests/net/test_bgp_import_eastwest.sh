#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Import, east-west and failure with real FRR (scenarios b, c, e):
#  b. a prefix the provider advertises arrives in the node's kernel with
#     proto bgp and in podroute's maps, with the provider as resolved next
#     hop; withdrawing it removes it from both;
#  c. a pod pings an address behind that prefix: the requests leave the
#     node's underlay as plain IP (a capture on the provider shows the ICMP
#     from the pod's own address and no UDP encapsulation at all), redirected
#     by XDP on the OVN-facing port (counted);
#  e. the BGP session goes down: the entry leaves the maps and no packet is
#     redirected any more (the kernel, with no route, refuses them).
set -u
. "$(dirname "$0")/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; [ -n "${AGENT_LOG:-}" ] && tail -15 "$AGENT_LOG" | sed 's/^/  agent: /'; exit 1; }
topo_create || fail "topology"
dir=$(mktemp -d /run/prtest-import.XXXXXX)
AGENT_LOG=$dir/agent.log
PROVIDER_NETWORKS="  network 10.200.0.0/16"
topo_bgp || fail "BGP session"
trap '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; frr_stop_all; topo_cleanup; rm -rf "$dir"' EXIT
ip -n "$NS_CLIENT" addr add 10.200.0.1/32 dev lo
cat >"$dir/config.yaml" <<YAML
interfaces:
  underlay: [in0]
  ovn: [mp0]
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: mp0, neighbour: 10.128.1.5}
YAML
in_ns "$NS_NODE" ping -c1 -W2 10.128.1.5 >/dev/null || fail "pod unreachable"
agent_start "$dir/config.yaml" || fail "agent did not start"
provider_mac=$(ip -n "$NS_CLIENT" -br link show eth0 | awk '{print $3}')

# b. import
wait_for "ip -n $NS_NODE route show 10.200.0.0/16 proto bgp | grep -q ." 30 ||
	fail "the node's kernel did not get 10.200.0.0/16 from BGP"
wait_for "routes_jq '.[] | select(.prefix == \"10.200.0.0/16\" and .action == \"nexthop\") | .nexthops[0] | .resolved and .mac == \"$provider_mac\"'" 15 ||
	fail "10.200.0.0/16 not in the maps with the provider ($provider_mac) as resolved next hop: $(node_podroute routes)"

# c. east-west, no overlay
cap=$dir/cap.txt
in_ns "$NS_CLIENT" tcpdump -i eth0 -n -c 10 --immediate-mode 'icmp[icmptype] == icmp-echo or udp' >"$cap" 2>"$cap.err" &
tpid=$!
wait_for "grep -q 'listening on' '$cap.err'" 5 || fail "capture did not start"
before=$(counter 1 redirect)
in_ns "$NS_POD" ping -c 10 -i 0.05 -W 2 10.200.0.1 >/dev/null || fail "pod -> 10.200.0.1 failed"
wait "$tpid" || fail "capture on the underlay did not see 10 packets"
[ "$(grep -c '10.128.1.5 > 10.200.0.1: ICMP echo request' "$cap")" -eq 10 ] ||
	fail "underlay capture: not 10 plain ICMP requests from the pod: $(cat "$cap")"
grep -q ' UDP' "$cap" && fail "encapsulated (UDP) traffic on the underlay"
after=$(counter 1 redirect)
# Both directions are fast-pathed: 10 requests east-west (mp0 -> in0) and
# the 10 replies as ingress to the pod prefix (in0 -> mp0).
[ $((after - before)) -eq 20 ] || fail "redirect counter rose by $((after - before)), want 20 (10 each way)"

# b. withdraw
frr_vtysh "$NS_CLIENT" "configure terminal" "router bgp 65000" "address-family ipv4 unicast" "no network 10.200.0.0/16" >/dev/null
wait_for "! ip -n $NS_NODE route show 10.200.0.0/16 | grep -q ." 30 || fail "withdrawal did not reach the kernel"
wait_for "! routes_jq '.[] | select(.prefix == \"10.200.0.0/16\")'" 10 || fail "withdrawn prefix still in the maps"
frr_vtysh "$NS_CLIENT" "configure terminal" "router bgp 65000" "address-family ipv4 unicast" "network 10.200.0.0/16" >/dev/null
wait_for "routes_jq '.[] | select(.prefix == \"10.200.0.0/16\")'" 30 || fail "re-advertised prefix not back"

# e. the session goes down
frr_vtysh "$NS_CLIENT" "configure terminal" "router bgp 65000" "neighbor 192.0.2.1 shutdown" >/dev/null
wait_for "! routes_jq '.[] | select(.prefix == \"10.200.0.0/16\")'" 30 || fail "entry survived the session going down"
before=$(counter 1 redirect)
in_ns "$NS_POD" ping -c 3 -i 0.1 -W 1 10.200.0.1 >/dev/null 2>&1 && fail "traffic to a withdrawn prefix still got through"
[ "$(counter 1 redirect)" -eq "$before" ] || fail "packets were redirected after the session went down"
echo "import/withdraw followed; 10/10 east-west pings as plain IP, redirected; session down: entry gone, 0 redirects"
exit 0
