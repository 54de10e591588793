#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# East-west between two nodes with no overlay, ECMP over two provider
# routers (scenario c). Four FRR instances on one L2 segment (a Linux
# bridge in a "fabric" namespace):
#
#   node A (AS 65001, pods 10.128.1.0/24)      P1 (AS 65100)
#   node B (AS 65002, pods 10.128.2.0/24)      P2 (AS 65200)
#
# Both nodes peer with both routers; the routers set themselves as next
# hop, so node A learns 10.128.2.0/24 as one route with two next hops
# (P1, P2). Both nodes run the podroute agent. Pod A sends 64 UDP flows to
# pod B (node A hashes L4: fib_multipath_hash_policy=1). Asserts: node A's
# map holds the route with 2 resolved next hops;
# every datagram is redirected on node A (east-west) and on node B
# (ingress to its pod); both routers forward some of them (the flows are
# spread); the routers see plain IP (no UDP encapsulation port).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/frr.sh"
. "$here/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; for l in "$dir"/agent-*.log; do tail -5 "$l" | sed "s|^|  $(basename "$l"): |"; done; exit 1; }
ID=$$
F=prf-$ID A=pra-$ID B=prb-$ID P1=pr1-$ID P2=pr2-$ID PA=ppa-$ID PB=ppb-$ID
PODROUTE=${PODROUTE:-$here/../../build/podroute}
dir=$(mktemp -d /run/prtest-ecmp.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	frr_stop_all
	for n in $A $B; do
		nsenter --net=/run/netns/$n "$PODROUTE" --pin-dir /sys/fs/bpf/pr-ecmp-$n detach --unpin >/dev/null 2>&1
		rm -rf /sys/fs/bpf/pr-ecmp-$n
	done
	for n in $F $A $B $P1 $P2 $PA $PB; do ip netns del $n 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
for n in $F $A $B $P1 $P2 $PA $PB; do ip netns add $n || fail "netns"; ip -n $n link set lo up; done
ip -n $F link add br0 type bridge && ip -n $F link set br0 up
plug() { # ns ifname address fabric-port
	ip -n "$F" link add "$4" type veth peer name "$2" netns "$1"
	ip -n "$F" link set "$4" master br0
	ip -n "$F" link set "$4" up
	# XDP on a node redirects into its in0: the far end must run NAPI.
	ip netns exec "$F" ethtool -K "$4" gro on >/dev/null
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" up
}
plug $A in0 192.0.2.1 fa; plug $B in0 192.0.2.3 fb; plug $P1 eth0 192.0.2.11 f1; plug $P2 eth0 192.0.2.12 f2
for n in $A $B $P1 $P2; do ip netns exec $n sysctl -qw net.ipv4.ip_forward=1; done
# The flows below differ only in their ports: spread them by an L4 hash, as
# the kernel does under policy 1 (podroute takes the kernel's choice).
ip netns exec $A sysctl -qw net.ipv4.fib_multipath_hash_policy=1
pod() { # node pod-ns subnet-prefix
	ip -n "$1" link add mp0 type veth peer name eth0 netns "$2"
	ip -n "$1" addr add "$3.1/24" dev mp0; ip -n "$1" link set mp0 up
	ip -n "$2" addr add "$3.5/24" dev eth0; ip -n "$2" link set eth0 up
	ip -n "$2" route add default via "$3.1"
	ip netns exec "$2" ethtool -K eth0 gro on >/dev/null
}
pod $A $PA 10.128.1; pod $B $PB 10.128.2
# Frames redirected by XDP into a veth need NAPI at the far end.
for n in $P1 $P2; do ip netns exec $n ethtool -K eth0 gro on >/dev/null; done
for n in $A $B; do ip netns exec $n ethtool -K in0 gro on >/dev/null; done

router() { # ns as id
	frr_start "$1" "frr defaults datacenter
hostname r$2
router bgp $2
 bgp router-id $3
 no bgp ebgp-requires-policy
 neighbor 192.0.2.1 remote-as 65001
 neighbor 192.0.2.3 remote-as 65002
 address-family ipv4 unicast
  neighbor 192.0.2.1 next-hop-self
  neighbor 192.0.2.3 next-hop-self
 exit-address-family
"
}
node() { # ns as id subnet
	frr_start "$1" "frr defaults datacenter
hostname n$2
router bgp $2
 bgp router-id $3
 no bgp ebgp-requires-policy
 bgp bestpath as-path multipath-relax
 neighbor 192.0.2.11 remote-as 65100
 neighbor 192.0.2.12 remote-as 65200
 address-family ipv4 unicast
  network $4
  maximum-paths 8
 exit-address-family
"
}
router $P1 65100 192.0.2.11 || fail "P1"
router $P2 65200 192.0.2.12 || fail "P2"
node $A 65001 192.0.2.1 10.128.1.0/24 || fail "node A"
node $B 65002 192.0.2.3 10.128.2.0/24 || fail "node B"
frr_wait_established $A 192.0.2.11 60 && frr_wait_established $A 192.0.2.12 60 || fail "A's sessions"
frr_wait_established $B 192.0.2.11 60 && frr_wait_established $B 192.0.2.12 60 || fail "B's sessions"
wait_for "[ \$(ip -n $A route show 10.128.2.0/24 | grep -c 'via 192.0.2.1[12]') -eq 2 ]" 60 ||
	fail "node A has no 2-way ECMP route to 10.128.2.0/24: $(ip -n $A route show 10.128.2.0/24)"

agent() { # node pod-ns subnet
	local mac
	mac=$(ip -n "$2" -br link show eth0 | awk '{print $3}')
	cat >"$dir/$1.yaml" <<YAML
interfaces:
  underlay: [in0]
  ovn: [mp0]
networks:
  - name: default
    prefixes: [$3]
    target: {port: mp0, mac: $mac}
YAML
	nsenter --net=/run/netns/"$1" "$PODROUTE" --pin-dir /sys/fs/bpf/pr-ecmp-"$1" agent \
		--config "$dir/$1.yaml" >"$dir/agent-$1.log" 2>&1 &
	pids+=($!)
	wait_for "grep -q 'agent running' '$dir/agent-$1.log'" 20
}
agent $A $PA 10.128.1.0/24 || fail "agent A"
agent $B $PB 10.128.2.0/24 || fail "agent B"
PA_() { nsenter --net=/run/netns/$A "$PODROUTE" --pin-dir /sys/fs/bpf/pr-ecmp-$A "$@"; }
PB_() { nsenter --net=/run/netns/$B "$PODROUTE" --pin-dir /sys/fs/bpf/pr-ecmp-$B "$@"; }
# The routers' MACs become known to node A by ARP: resolve them up front.
ip netns exec $A ping -c1 -W2 192.0.2.11 >/dev/null; ip netns exec $A ping -c1 -W2 192.0.2.12 >/dev/null
wait_for "PA_ -j routes | jq -e '.[] | select(.prefix == \"10.128.2.0/24\") | [.nexthops[] | select(.resolved)] | length == 2' >/dev/null" 20 ||
	fail "node A's map lacks 10.128.2.0/24 with 2 resolved next hops: $(PA_ routes)"

# Count what each router forwards to pod B, and any encapsulation port.
for r in $P1 $P2; do
	ip netns exec $r nft -f - <<'NFT'
table inet ecmp {
	chain transit {
		type filter hook forward priority 0;
		ip daddr 10.128.2.0/24 udp dport 20000-20063 counter
		udp dport { 4789, 6081 } counter
	}
}
NFT
done
fwd() { ip netns exec "$1" nft -j list chain inet ecmp transit | jq "[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets] | .[$2]"; }
red() { "$1" -j stats --net 1 | jq '[.[] | select(.reason == "redirect") | .packets] | add // 0'; }
# Resolve neighbours on the way first: a datagram that waits for ARP may
# be dropped (unres_qlen), which would test ARP, not podroute.
ip netns exec $PA ping -c1 -W2 10.128.1.1 >/dev/null
for r in $P1 $P2; do ip netns exec $r ping -c1 -W2 192.0.2.3 >/dev/null; done
a0=$(red PA_) b0=$(red PB_)
# Pod B answers nothing (UDP to closed ports): only the requests are counted.
ip netns exec $PA bash -c 'for p in $(seq 20000 20063); do echo x >/dev/udp/10.128.2.5/$p; done' 2>/dev/null
wait_for "[ \$(( \$(fwd $P1 0) + \$(fwd $P2 0) )) -ge 64 ]" 10 ||
	fail "the routers forwarded $(( $(fwd $P1 0) + $(fwd $P2 0) )) of 64 datagrams"
p1=$(fwd $P1 0) p2=$(fwd $P2 0)
[ "$p1" -gt 0 ] && [ "$p2" -gt 0 ] || fail "flows not spread over both routers: P1 $p1, P2 $p2"
[ "$(fwd $P1 1)" -eq 0 ] && [ "$(fwd $P2 1)" -eq 0 ] || fail "encapsulated traffic on the underlay"
da=$(( $(red PA_) - a0 )) db=$(( $(red PB_) - b0 ))
[ "$da" -ge 64 ] || fail "node A redirected $da of 64 (east-west fast path)"
[ "$db" -ge 64 ] || fail "node B redirected $db of 64 (ingress fast path)"
echo "64 flows A->B: P1 forwarded $p1, P2 $p2; fast path on A ($da) and B ($db); no encapsulation"
exit 0
