#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Open vSwitch kernel datapath, laid out as OVN-Kubernetes does (issue 4):
# br-ex holds the underlay device; br-int holds an internal port named
# ovn-k8s-mp0 and the pod's port; patch ports join them. br-ex has the flow
# OVN-Kubernetes installs for an advertised network, in both gateway modes:
#   shared: table=0, priority=300, in_port=<underlay>, ip, nw_dst=<pod subnet>,
#           actions=output:<patch port>
#   local:  the same match, actions=output:LOCAL, and the host routes the
#           packet to ovn-k8s-mp0 (the connected route of its address)
# With podroute attached (agent, config target ovn-k8s-mp0), packets for the
# pod subnet reach the pod through the internal port and never hit that
# flow (its n_packets stays 0): XDP on the underlay decides, and since an
# OVS internal port cannot take XDP frames, hands over to TC, which
# redirects the skb into ovn-k8s-mp0. In local gateway mode they also skip
# the host's IP forwarding (Ip ForwDatagrams counts the pod's replies, which
# the host routes, and none of the requests). With podroute's
# underlay hook removed, what OVS hands to the host (output:LOCAL) is caught
# by podroute's TC hook on br-ex's own device: the flow counts it, the host
# still does not forward it. Without podroute, the same traffic flows
# through OVS (and in local mode the host stack) as before.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
. selftests/vm/ovnk_bridges.sh
cl=ovsclient pod=ovspod pins=/sys/fs/bpf/vmovs
P() { build/podroute --pin-dir $pins "$@"; }
cleanup() {
	P detach --unpin >/dev/null 2>&1
	# --cleanup: also remove the kernel datapath and bridges it created.
	ovs-appctl -t ovs-vswitchd exit --cleanup 2>/dev/null
	ovs-appctl -t ovsdb-server exit 2>/dev/null
	ip netns del $cl 2>/dev/null; ip netns del $pod 2>/dev/null
}
trap cleanup EXIT
ovs_start
for ns in $cl $pod; do ip netns add $ns; ip -n $ns link set lo up; done

ip link add ul0 type veth peer name eth0 netns $cl
ip link add pod0 type veth peer name eth0 netns $pod
ip link set ul0 up; ip link set pod0 up
ovnk_bridges ul0 pod0 02:00:00:00:0e:01
ip addr add 192.0.2.1/24 dev br-ex; ip link set br-ex up
brex_mac_wait 02:00:00:00:0e:01
podroute_view() { P stats; P -j status; P networks; }
ip addr add 10.128.1.1/24 dev ovn-k8s-mp0; ip link set ovn-k8s-mp0 up; ip link set br-int up
sysctl -qw net.ipv4.ip_forward=1
ip -n $cl addr add 192.0.2.2/24 dev eth0; ip -n $cl link set eth0 up
ip -n $cl route add 10.128.0.0/16 via 192.0.2.1
# The client addresses br-ex by the MAC configured for it: an ARP answer
# given before ovs-vswitchd applied it would carry another one.
ip -n $cl neigh replace 192.0.2.1 lladdr 02:00:00:00:0e:01 dev eth0 nud permanent
ip -n $pod addr add 10.128.1.5/24 dev eth0; ip -n $pod link set eth0 up
ip -n $pod route add default via 10.128.1.1
podmac=$(ip -n $pod -br link show eth0 | awk '{print $3}')
ofport() { ovs-vsctl get interface "$1" ofport; }
ovs-ofctl add-flow br-ex "table=0,priority=300,in_port=$(ofport ul0),ip,nw_dst=10.128.1.0/24,actions=mod_dl_dst:$podmac,output:$(ofport patch-ex-to-int)"
ovs-ofctl add-flow br-ex "table=0,priority=0,actions=NORMAL"
ovs-ofctl add-flow br-int "table=0,priority=0,actions=NORMAL"
ovs-dpctl show | grep -q ovn-k8s-mp0 || fail "internal port not in the kernel datapath"
# Flow statistics lag the datapath: sync them first (revalidator/wait).
flow300() { ovs-appctl revalidator/wait >/dev/null 2>&1; ovs-ofctl dump-flows br-ex table=0,ip | sed -n 's/.*priority=300.*n_packets=\([0-9]*\).*/\1/p; s/.*n_packets=\([0-9]*\),.*priority=300.*/\1/p' | head -1; }

# Without podroute: through OVS (the priority-300 flow).
ip netns exec $cl ping -c 3 -i 0.2 -W 2 10.128.1.5 >/dev/null || fail "slow path through OVS"
[ "$(flow300)" -ge 3 ] || fail "the OVN-like flow did not carry the slow path ($(flow300))"

# force_xdp: ul0 is a veth standing for the NIC (whose peer sends only
# ping here); this test follows XDP's hand-off to TC.
cat >/tmp/ovs.yaml <<YAML
interfaces:
  underlay: [ul0]
  brex: br-ex
  force_xdp: true
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: ovn-k8s-mp0, mac: $podmac}
YAML
# The host's IP forwarding counter (Ip: ForwDatagrams in /proc/net/snmp).
forwarded() { awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ForwDatagrams") c = i; h = 1 } else print $c }' /proc/net/snmp; }
reason() { P -j stats --net 1 | jq "[.[] | select(.reason == \"$1\") | .packets] | add // 0"; }

for mode in shared local; do
	if [ $mode = local ]; then
		ovs-ofctl del-flows br-ex "table=0,in_port=$(ofport ul0),ip,nw_dst=10.128.1.0/24"
		ovs-ofctl add-flow br-ex "table=0,priority=300,in_port=$(ofport ul0),ip,nw_dst=10.128.1.0/24,actions=output:LOCAL"
		b=$(flow300) f=$(forwarded)
		ip netns exec $cl ping -c 3 -i 0.2 -W 2 10.128.1.5 >/dev/null || fail "local gateway slow path"
		[ "$(flow300)" -ge $((b + 3)) ] || fail "local mode: output:LOCAL flow did not carry the slow path"
		[ "$(forwarded)" -ge $((f + 6)) ] || fail "local mode: the host did not forward requests and replies"
	fi
	P agent --config /tmp/ovs.yaml --once || fail "$mode: agent"
	# An OVS internal port takes no XDP frames: a redirect target for TC
	# (pr_txports), not for XDP (pr_xdp_txports).
	mp=$(cat /sys/class/net/ovn-k8s-mp0/ifindex)
	key="key $((mp & 255)) $(((mp >> 8) & 255)) 0 0"
	bpftool map lookup pinned $pins/pr_txports $key >/dev/null 2>&1 ||
		fail "ovn-k8s-mp0 ($mp) is not a redirect target"
	bpftool map lookup pinned $pins/pr_xdp_txports $key >/dev/null 2>&1 &&
		fail "ovn-k8s-mp0 ($mp) was taken for a device that takes XDP frames"
	before=$(flow300) fwd=$(forwarded) d0=$(reason defer-tc) r0=$(reason redirect)
	ip netns exec $cl ping -c 20 -i 0.05 -W 2 10.128.1.5 >/dev/null || fail "$mode: pod unreachable with podroute"
	[ "$(flow300)" -eq "$before" ] || { podroute_view; fail "$mode: fast-path packets hit the OVN-like flow ($before -> $(flow300))"; }
	[ "$(reason defer-tc)" -ge $((d0 + 20)) ] && [ "$(reason redirect)" -ge $((r0 + 20)) ] ||
		fail "$mode: expected 20 XDP hand-offs and 20 TC redirects: $(P -j stats --net 1)"
	# The pod's replies are routed by the host (its gateway is ovn-k8s-mp0's
	# address): 20 of them, and none of the 20 requests.
	[ $mode = shared ] || [ "$(forwarded)" -eq $((fwd + 20)) ] ||
		fail "local mode: requests went through the host's forwarding ($fwd -> $(forwarded), 20 replies expected)"
	if [ $mode = local ]; then
		# br-ex's own device: what OVS hands to the host, with no hook on ul0.
		P detach ul0 >/dev/null || fail "detach ul0"
		before=$(flow300) fwd=$(forwarded) d0=$(reason defer-tc) r0=$(reason redirect)
		ip netns exec $cl ping -c 10 -i 0.05 -W 2 10.128.1.5 >/dev/null || fail "local: pod unreachable via br-ex's hook"
		[ "$(flow300)" -ge $((before + 10)) ] || fail "local: OVS did not hand the packets to br-ex"
		[ "$(reason redirect)" -ge $((r0 + 10)) ] && [ "$(reason defer-tc)" -eq "$d0" ] ||
			fail "local: br-ex's TC hook did not redirect them: $(P -j stats --net 1)"
		[ "$(forwarded)" -eq $((fwd + 10)) ] ||
			fail "local: br-ex's TC hook let the host forward requests ($fwd -> $(forwarded), 10 replies expected)"
	fi
	P detach >/dev/null || fail "$mode: detach"
	before=$(flow300) fwd=$(forwarded)
	ip netns exec $cl ping -c 3 -i 0.2 -W 2 10.128.1.5 >/dev/null || fail "$mode: slow path after detach"
	[ "$(flow300)" -ge $((before + 3)) ] || fail "$mode: OVS did not carry the traffic after detach"
	[ $mode = shared ] || [ "$(forwarded)" -ge $((fwd + 6)) ] || fail "local: host did not forward after detach"
	echo "$mode gateway mode: 20/20 via XDP->TC->ovn-k8s-mp0 with the priority-300 flow untouched; OVS carries it again after detach"
done
echo "local gateway mode: fast path skipped the host's IP forwarding; br-ex's TC hook caught what OVS handed to the host"
