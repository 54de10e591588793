#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# UDN / VRF-Lite on a kernel with VRF (scenario of issue 4): two user-defined
# networks, each a VRF with its own table, its own underlay device and its
# own pod port. The agent attaches to both underlays and fills the maps
# from its config (target: the VRF). Asserts:
#  - a client on blue's underlay reaches blue's pod through the fast path:
#    bpf_fib_lookup in table 1001 resolves it (counted as redirects of
#    network blue, TTL one lower at the pod, no NAT);
#  - the same client sending to red's pod gets nothing through: the kernel's
#    blue table has no route, and podroute does not redirect it across VRFs
#    (counted as a miss, red's redirect counter unchanged);
#  - red works the same from its own underlay.
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
setup_udn red 1002 $cr $pr 198.51.100.1 198.51.100.2 10.60.1.1 10.60.1.5 || fail "red"
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
    prefixes: [10.60.1.0/24]
    target: {vrf: true}
YAML
P agent --config /tmp/udn.yaml --once || fail "agent"
redirects() { P -j stats --net "$1" | jq '[.[] | select(.reason == "redirect") | .packets] | add // 0'; }
misses() { P -j stats --net 0 | jq '[.[] | select(.reason == "miss") | .packets] | add // 0'; }

ip netns exec $cb ping -c 10 -i 0.05 -W 2 10.50.1.5 >/dev/null || fail "blue client -> blue pod"
[ "$(redirects 1)" -ge 10 ] || fail "blue's 10 requests were not fast-pathed ($(redirects 1))"
r2=$(redirects 2) m=$(misses)
ip netns exec $cb ping -c 3 -i 0.1 -W 1 10.60.1.5 >/dev/null 2>&1 && fail "blue's client reached red's pod"
[ "$(redirects 2)" -eq "$r2" ] || fail "a packet from blue's underlay was redirected into red"
[ "$(misses)" -ge $((m + 3)) ] || fail "cross-VRF packets not counted as misses"
ip netns exec $cr ping -c 10 -i 0.05 -W 2 10.60.1.5 >/dev/null || fail "red client -> red pod"
[ "$(redirects 2)" -ge $((r2 + 10)) ] || fail "red's requests were not fast-pathed"
echo "blue and red each fast-pathed through their own VRF table; cross-VRF: 0 redirects, counted as misses"
