#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# UDN / VRF-Lite on a kernel with VRF (scenario of issue 4): two user-defined
# networks with the same per-node layout (both use 10.50.1.0/24, the pod is
# 10.50.1.5 in each), each a VRF with its own table, its own underlay device
# and its own pod port. The agent attaches to both underlays and fills the
# maps from its config (target: the VRF). Asserts:
#  - both networks' prefix is in the maps twice, once per VRF domain;
#  - a client on blue's underlay reaches blue's pod through the fast path:
#    bpf_fib_lookup in table 1001 resolves it (counted as redirects of
#    network blue, none of red's, TTL one lower at the pod, no NAT); red's
#    client reaches red's pod the same way through table 1002;
#  - a prefix only red has (10.60.1.0/24) is not reachable from blue's
#    underlay: the kernel's blue table has no route and podroute does not
#    redirect it across VRFs (counted as a miss, red's counter unchanged).
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
N=node cb=cblue cr=cred pb=pblue pr=pred pins=/sys/fs/bpf/vmudn
P() { nsenter --net=/run/netns/$N build/podroute --pin-dir $pins "$@"; }
cleanup() { P detach --unpin >/dev/null 2>&1; for ns in $N $cb $cr $pb $pr; do ip netns del $ns 2>/dev/null; done; }
trap cleanup EXIT
for ns in $N $cb $cr $pb $pr; do ip netns add $ns || fail "netns"; ip -n $ns link set lo up; done
ip netns exec $N sysctl -qw net.ipv4.ip_forward=1
setup_udn() { # name table client pod ul-addr client-addr mp-addr pod-addr
	local v=$1 t=$2 c=$3 p=$4
	ip -n $N link add udn-$v type vrf table "$t" && ip -n $N link set udn-$v up
	ip -n $N link add ul-$v type veth peer name eth0 netns "$c"
	ip -n $N link add mp-$v type veth peer name eth0 netns "$p"
	ip -n $N link set ul-$v master udn-$v
	ip -n $N link set mp-$v master udn-$v
	ip -n $N addr add "$5/24" dev ul-$v
	ip -n $N addr add "$7/24" dev mp-$v
	ip -n $N link set ul-$v up; ip -n $N link set mp-$v up
	ip -n "$c" addr add "$6/24" dev eth0; ip -n "$c" link set eth0 up
	ip -n "$c" route add 10.0.0.0/8 via "$5"
	ip -n "$p" addr add "$8/24" dev eth0; ip -n "$p" link set eth0 up
	ip -n "$p" route add default via "$7"
	ip netns exec "$p" ethtool -K eth0 gro on >/dev/null
	ip -n $N neigh replace "$8" lladdr "$(ip -n "$p" -br link show eth0 | awk '{print $3}')" dev mp-$v nud permanent
}
setup_udn blue 1001 $cb $pb 192.0.2.1 192.0.2.2 10.50.1.1 10.50.1.5 || fail "blue"
setup_udn red 1002 $cr $pr 198.51.100.1 198.51.100.2 10.50.1.1 10.50.1.5 || fail "red"
# red's pod also has an address in a prefix only red advertises
ip -n $N addr add 10.60.1.1/24 dev mp-red
ip -n $pr addr add 10.60.1.5/24 dev eth0
ip -n $N neigh replace 10.60.1.5 lladdr "$(ip -n $pr -br link show eth0 | awk '{print $3}')" dev mp-red nud permanent
cat >/tmp/udn.yaml <<YAML
interfaces:
  underlay: [ul-blue, ul-red]
networks:
  - name: blue
    vrf: {name: udn-blue, table: 1001}
    prefixes: [10.50.1.0/24]
    target: {vrf: true}
  - name: red
    vrf: {name: udn-red, table: 1002}
    prefixes: [10.50.1.0/24, 10.60.1.0/24]
    target: {vrf: true}
YAML
# attach alone already scopes each underlay to its VRF's domain
P attach --underlay ul-blue --underlay ul-red >/dev/null || fail "attach"
for v in blue:1001 red:1002; do
	idx=$(ip netns exec $N cat /sys/class/net/ul-${v%:*}/ifindex)
	got=$(bpftool -j map lookup pinned $pins/pr_ifaces key $(printf '%d %d %d %d' $((idx & 255)) $((idx >> 8 & 255)) 0 0) |
		jq '.formatted.value.vrf_table')
	[ "$got" = "${v#*:}" ] || fail "attach: ul-${v%:*} has vrf_table $got, expected ${v#*:}"
done
P agent --config /tmp/udn.yaml --once || fail "agent"
redirects() { P -j stats --net "$1" | jq '[.[] | select(.reason == "redirect") | .packets] | add // 0'; }
misses() { P -j stats --net 0 | jq '[.[] | select(.reason == "miss") | .packets] | add // 0'; }

[ "$(P -j routes -4 | jq '[.[] | select(.prefix == "10.50.1.0/24")] | map("\(.vrf_table):\(.net)") | sort | join(",")')" = '"1001:1,1002:2"' ] ||
	fail "10.50.1.0/24 is not in the maps once per VRF: $(P routes -4)"
ip netns exec $cb ping -c 10 -i 0.05 -W 2 10.50.1.5 >/dev/null || fail "blue client -> blue pod"
[ "$(redirects 1)" -ge 10 ] || fail "blue's 10 requests were not fast-pathed ($(redirects 1))"
[ "$(redirects 2)" -eq 0 ] || fail "blue's traffic was redirected as red's ($(redirects 2))"
r1=$(redirects 1) m=$(misses)
ip netns exec $cb ping -c 3 -i 0.1 -W 1 10.60.1.5 >/dev/null 2>&1 && fail "blue's client reached red's 10.60.1.5"
[ "$(redirects 2)" -eq 0 ] || fail "a packet from blue's underlay was redirected into red"
[ "$(redirects 1)" -eq "$r1" ] || fail "red-only prefix redirected as blue's"
[ "$(misses)" -ge $((m + 3)) ] || fail "cross-VRF packets not counted as misses"
ip netns exec $cr ping -c 10 -i 0.05 -W 2 10.50.1.5 >/dev/null || fail "red client -> red pod"
[ "$(redirects 2)" -ge 10 ] || fail "red's requests were not fast-pathed"
[ "$(redirects 1)" -eq "$r1" ] || fail "red's traffic was redirected as blue's"
ip netns exec $cr ping -c 5 -i 0.05 -W 2 10.60.1.5 >/dev/null || fail "red client -> red's second prefix"
echo "the same prefix in two VRFs: each client fast-pathed to its own pod through its own VRF table; cross-VRF: 0 redirects, counted as misses"
