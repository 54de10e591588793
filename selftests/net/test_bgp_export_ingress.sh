#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Export and ingress (scenario a): the node advertises its pod subnet over
# eBGP (FRR on both sides); the provider learns it; a client on the
# provider side pings a pod IP and the requests are redirected by XDP on
# the node's underlay veth straight into the pod's OVN-port stand-in.
# Asserts: the pod sees the
# client's real source address (no NAT) with TTL one lower; podroute's
# redirect counter rises by exactly the packets sent; an nftables counter
# on the node's forward hook sees none of them; with podroute detached the
# same traffic still works through the kernel (the slow path).
set -u
. "$(dirname "$0")/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
N=20

topo_create || fail "topology"
topo_bgp || fail "BGP: the provider did not learn 10.128.1.0/24 from the node"
ip -n "$NS_CLIENT" route show 10.128.1.0/24 | grep -q "proto bgp" || fail "route not from BGP"
in_ns "$NS_NODE" nft -f - <<'NFT' || fail "nftables"
table inet prtest {
	chain slowpath {
		type filter hook forward priority 0;
		ip daddr 10.128.1.0/24 counter
	}
}
NFT
fwd_count() { in_ns "$NS_NODE" nft -j list chain inet prtest slowpath | jq '[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets] | add'; }

# 1. Slow path works before podroute.
in_ns "$NS_CLIENT" ping -c 3 -i 0.2 -W 2 10.128.1.5 >/dev/null || fail "slow path: pod unreachable before attach"
[ "$(fwd_count)" -ge 3 ] || fail "slow path: forward hook did not see the pings"

# 2. Fast path.
topo_attach || fail "podroute attach"
# The pinned maps carry BTF: bpftool decodes keys and values by field name
# (prefixlen counts the 32 bits of the routing domain, 0 = default VRF).
dump=$(bpftool -j map dump pinned "$PIN_DIR/pr_routes4") || fail "bpftool map dump"
echo "$dump" | jq -e '.[0].formatted.key.prefixlen == 32 + 24 and .[0].formatted.key.domain == 0 and
	.[0].formatted.value.net_id == 1 and
	.[0].formatted.value.action == 2 and (.[0].formatted.key.addr | length) == 4' >/dev/null ||
	fail "bpftool did not decode pr_routes4 by field: $dump"
before_fwd=$(fwd_count)
cap=$(mktemp)
in_ns "$NS_POD" tcpdump -i eth0 -nv -c "$N" --immediate-mode 'icmp[icmptype] == icmp-echo' >"$cap" 2>"$cap.err" &
tpid=$!
for _ in $(seq 50); do grep -q "listening on" "$cap.err" && break; sleep 0.1; done
in_ns "$NS_CLIENT" ping -c "$N" -i 0.05 -W 2 10.128.1.5 >/dev/null || fail "fast path: pings lost"
wait "$tpid" || fail "capture in the pod did not see $N echo requests"
got_src=$(grep -c "192.0.2.2 > 10.128.1.5" "$cap")
got_ttl=$(grep -c "ttl 63" "$cap")
rm -f "$cap" "$cap.err"
[ "$got_src" -eq "$N" ] || fail "pod saw $got_src/$N requests from the client's own address (NAT?)"
[ "$got_ttl" -eq "$N" ] || fail "pod saw $got_ttl/$N requests with TTL 63 (client sends 64)"
redirects=$(counter 1 redirect)
[ "$redirects" -eq "$N" ] || fail "redirect counter $redirects, want $N"
[ "$(fwd_count)" -eq "$before_fwd" ] || fail "forward hook saw fast-path packets ($before_fwd -> $(fwd_count))"

# 3. Detached: the slow path carries the traffic again.
node_podroute detach >/dev/null || fail "detach"
in_ns "$NS_CLIENT" ping -c 3 -i 0.2 -W 2 10.128.1.5 >/dev/null || fail "slow path after detach"
[ "$(fwd_count)" -ge $((before_fwd + 3)) ] || fail "forward hook did not see the pings after detach"
echo "pod saw $N/$N requests from 192.0.2.2 with TTL 63; $redirects redirects; forward hook untouched"
exit 0
