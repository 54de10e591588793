#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Real OVN (issue 14): a primary Layer3 user-defined network beside the
# default network, as OVN-Kubernetes lays them out in local gateway mode
# with VRF-Lite: each network its own logical switch and cluster router
# and its own management port (ovn-k8s-mp0 in the default VRF,
# ovn-k8s-mp1 enslaved to the UDN's VRF mp1-udn-vrf, table 1001), each
# with its own underlay device (ul1 enslaved to the VRF) and client. With
# podroute detached and enforcing: each client reaches its own network's
# pod (enforcing, through the fast path: a redirect into ovn-k8s-mp0, a FIB
# lookup in table 1001 for the UDN), and neither reaches the other
# network's pod, nor is any of its packets redirected across.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
. selftests/vm/lib.sh
need ovn-northd ovn-controller ovn-nbctl
. selftests/vm/ovnk_bridges.sh
. selftests/vm/ovn_node.sh
cd0=udnc0 cd1=udnc1 p0=udnp0 p1=udnp1 pins=/sys/fs/bpf/vmovnudn
P() { build/podroute --pin-dir $pins "$@"; }
on_exit "ip link del ul0; ip link del ul1; ip link del pod0; ip link del pod1; ip link del mp1-udn-vrf"
on_exit "for ns in $cd0 $cd1 $p0 $p1; do ip netns del \$ns; done"
ovn_node_start node1
on_exit "P detach --unpin"
sysctl -qw net.ipv4.ip_forward=1
ip link add mp1-udn-vrf type vrf table 1001 && ip link set mp1-udn-vrf up || fail "VRF"
ovs-vsctl --may-exist add-br br-int || fail "br-int"

# network N: underlay ulN with client cdN (clients in 192.0.2.0/24 and
# 198.51.100.0/24), management port, pod pN in 10.128.1.0/24 or 10.200.1.0/24
net() { # N CLIENT POD ULADDR CLADDR SUBNET(3 octets) MPNAME LSPREFIX
	local n=$1 c=$2 p=$3 mp=$7 ls=$8 pmac mpmac=0a:58:0a:0$1:01:02 rmac=0a:58:0a:0$1:01:01
	ip netns add "$c"; ip netns add "$p"; ip -n "$c" link set lo up; ip -n "$p" link set lo up
	ip link add ul$n type veth peer name eth0 netns "$c"
	ip link add pod$n type veth peer name eth0 netns "$p"
	ovs-vsctl add-port br-int "$mp" -- set interface "$mp" type=internal mac="\"$mpmac\"" \
		external_ids:iface-id=k8s-$ls -- add-port br-int pod$n -- set interface pod$n \
		external_ids:iface-id=$ls-pod || fail "ports $n"
	[ "$n" = 1 ] && { ip link set ul1 master mp1-udn-vrf; ip link set "$mp" master mp1-udn-vrf; }
	ip addr add "$4/24" dev ul$n; ip link set ul$n up; ip link set pod$n up
	ip link set "$mp" address $mpmac; ip addr add "$6.2/24" dev "$mp"; ip link set "$mp" up
	pmac=$(ip -n "$p" -br link show eth0 | awk '{print $3}')
	ovn-nbctl ls-add "$ls" -- lsp-add "$ls" k8s-$ls -- lsp-set-addresses k8s-$ls "$mpmac $6.2" \
		-- lsp-add "$ls" $ls-pod -- lsp-set-addresses $ls-pod "$pmac $6.5" \
		-- lsp-set-port-security $ls-pod "$pmac $6.5" \
		-- lr-add "${ls}_router" -- lrp-add "${ls}_router" rtos-$ls $rmac "$6.1/24" \
		-- lsp-add "$ls" stor-$ls -- lsp-set-type stor-$ls router -- lsp-set-addresses stor-$ls router \
		-- lsp-set-options stor-$ls router-port=rtos-$ls \
		-- lr-route-add "${ls}_router" 0.0.0.0/0 "$6.2" || fail "logical network $n"
	ip -n "$p" addr add "$6.5/24" dev eth0; ip -n "$p" link set eth0 up; ip -n "$p" route add default via "$6.1"
	ip -n "$c" addr add "$5/24" dev eth0; ip -n "$c" link set eth0 up
	ip -n "$c" route add 10.0.0.0/8 via "$4"
	ovn_bound k8s-$ls; ovn_bound $ls-pod
	eval "rmac$n=$rmac"
}
net 0 $cd0 $p0 192.0.2.1 192.0.2.2 10.128.1 ovn-k8s-mp0 node1
net 1 $cd1 $p1 198.51.100.1 198.51.100.2 10.200.1 ovn-k8s-mp1 udn_node1
ovn_synced
cat >/tmp/ovnudn.yaml <<YAML
interfaces:
  underlay: [ul0, ul1]
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: ovn-k8s-mp0, mac: $rmac0}
  - name: udn
    vrf: {name: mp1-udn-vrf, table: 1001}
    prefixes: [10.200.1.0/24]
    target: {vrf: true}
YAML
reach() { ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
redirects() { P -j stats --net "$1" | jq '[.[] | select(.reason == "redirect") | .packets] | add // 0'; }
check() { # MODE
	reach $cd0 10.128.1.5 || fail "$1: the default network's client cannot reach its pod"
	reach $cd1 10.200.1.5 || fail "$1: the UDN's client cannot reach its pod"
	reach $cd0 10.200.1.5 && fail "$1: the default network's client reached the UDN's pod"
	reach $cd1 10.128.1.5 && fail "$1: the UDN's client reached the default network's pod"
	return 0
}
check detached
P agent --config /tmp/ovnudn.yaml --once >/tmp/ovnudn-agent.log 2>&1 || { cat /tmp/ovnudn-agent.log; fail "agent"; }
check enforcing
r0=$(redirects 1) r1=$(redirects 2)
reach $cd0 10.128.1.5; reach $cd1 10.200.1.5
[ $(($(redirects 1) - r0)) -ge 3 ] && [ $(($(redirects 2) - r1)) -ge 3 ] ||
	fail "enforcing: each network's requests were not fast-pathed ($(P stats))"
r0=$(redirects 1) r1=$(redirects 2)
reach $cd0 10.200.1.5; reach $cd1 10.128.1.5
[ "$(redirects 1)" -eq "$r0" ] && [ "$(redirects 2)" -eq "$r1" ] || fail "a packet was redirected across networks"
echo "default network and a VRF-Lite UDN under OVN: each client reaches its own pod, not the other's, detached and enforcing (fast-pathed: mp0 redirect, FIB in table 1001); 0 redirects across"
