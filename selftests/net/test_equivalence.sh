#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The differential equivalence suite on the host kernel (lib/equiv.sh has
# the world and the comparison): 16 routers on a plain veth uplink, the pod
# on a veth, the agent in auto mode (TC on both veths). Cells: east-west
# UDP/TCP/ICMP over 1, 2, 3, 8, 9 and 16 next hops, IPv4 and IPv6, fragments,
# sender offloads on and off, GRO on the node; ECMP groups that grow and
# shrink across 8 and lose a router; a BGP default route beside the node's
# addresses, a connected host and a static more-specific route; ingress to
# the pod; frames the kernel discards (bad IPv4 header checksum, VLAN tags
# with no VLAN device, the outer tag in the skb); generic XDP forced on the
# pod's veth; a control that must differ (native XDP forced on a veth fed
# by local sockets); then the pod behind a tap (a "VM" with virtio-net
# offloads) instead of a veth; then real FRR with BFD losing a router. The VM runs the same cells over VLAN and QinQ
# uplinks and an OVS internal port (selftests/vm/tests/test_equivalence_devices.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
. "$here/lib/equiv.sh"
[ -x "$FP" ] || { echo "FAIL: $FP missing (make check builds it)"; exit 1; }
trap 'eq_cleanup; rm -rf "$EQ_DIR"' EXIT
eq_world 16 plain veth
eq_agent in0
grep -q "in0: attached as underlay (tc" "$EQ_LOG" && grep -q "mp0: attached as ovn (tc" "$EQ_LOG" ||
	eq_fail "auto mode did not choose TC on veths: $(grep attached "$EQ_LOG")"

# shellcheck disable=SC2046
{
# Single and multipath routes of every size, growth past 8 included.
for n in 1 2 3 8 9 16; do
	group 1 $n
	cell "east-west UDP v4, $n next hop(s)" fast $S "--port 7000 --udp 128" $P $(udp4 64)
	cell "east-west UDP v6, $n next hop(s)" fast $S "--port 7000 --udp 64" $P $(udp6 32)
done
group 1 3
cell "east-west TCP v4 streams (TSO, tx csum on)" fast $S "--port 7000 --tcp 8" $P $(tcp4)
cell "east-west TCP v6 streams (TSO, tx csum on)" fast $S "--port 7000 --tcp 8" $P $(tcp6)
cell "east-west ICMP v4 echo" fast $P "--port 7999 --timeout 0.1" $P ping -c 20 -i 0.01 -W 1 -I 10.128.1.10 10.244.0.10
cell "east-west ICMP v6 echo" fast $P "--port 7999 --timeout 0.1" $P ping -6 -c 20 -i 0.01 -W 1 -I fd00:10:128:1::10 fd00:244::10
cell "east-west IPv4 fragments (3000-byte datagrams)" fast $S "--port 7000 --udp 32" $P $(udp4 16 --size 3000 --frag)
cell "east-west IPv6 fragments (3000-byte datagrams)" fast $S "--port 7000 --udp 32" $P $(udp6 16 --size 3000 --frag)
x $P ethtool -K eth0 tx off tso off gso off >/dev/null
cell "east-west UDP v4, sender offloads off" fast $S "--port 7000 --udp 128" $P $(udp4 64)
cell "east-west TCP v4 streams, sender offloads off" fast $S "--port 7000 --tcp 8" $P $(tcp4)
x $P ethtool -K eth0 tx on tso on gso on >/dev/null
x $N ethtool -K mp0 gro on >/dev/null
for i in 1 2 3; do x $S ethtool -K r$i gro off >/dev/null; done
cell "east-west TCP v4 streams, GRO on the node's mp0, off at the server" fast $S "--port 7000 --tcp 8" $P $(tcp4)
x $N ethtool -K mp0 gro off >/dev/null
for i in 1 2 3; do x $S ethtool -K r$i gro on >/dev/null; done
# ECMP groups that change: growth and shrink across 8, a router lost.
group 1 8; group 2 10
cell "east-west UDP v4 after 1-8 became 2-10" fast $S "--port 7000 --udp 128" $P $(udp4 64)
[ -f "$EQ_DIR/enforce.lines" ] && grep -q 'if=r1 ' "$EQ_DIR/enforce.lines" && { eq_failed=$((eq_failed + 1)); echo "not ok: a flow still went to router 1 after it left the group"; }
group 1 16; group 1 7
cell "east-west UDP v6 after 1-16 became 1-7" fast $S "--port 7000 --udp 64" $P $(udp6 32)
group 1 3
cell "east-west UDP v4 over routers 1-3 (before a failure)" fast $S "--port 7000 --udp 128" $P $(udp4 64)
[ -f "$EQ_DIR/enforce.lines" ] && cp "$EQ_DIR/enforce.lines" "$EQ_DIR/before.lines"
# Router 2 dies: BFD tells FRR, which replaces the group without it.
ip -n "$(R 2)" link set eth0 down
group 1 3 2
cell "east-west UDP v4 after router 2 failed (group 1,3)" fast $S "--port 7000 --udp 128" $P $(udp4 64)
[ -f "$EQ_DIR/before.lines" ] && moved=$(join <(awk '$4 != "if=r2" {print $2":"$3, $4}' "$EQ_DIR/before.lines" | sort -u) \
	<(awk '{print $2":"$3, $4}' "$EQ_DIR/enforce.lines" | sort -u) | awk '$2 != $3' | wc -l)
[ -f "$EQ_DIR/before.lines" ] && echo "# router 2 lost: $moved datagram(s) of flows on the surviving routers changed router (the kernel's own choice, fast and slow alike)"
ip -n "$(R 2)" link set eth0 up
group 1 3
# A BGP default route beside the node's addresses, connected routes and a
# static more-specific route: the kernel decides, podroute follows or passes.
ip -n $N route add default nhid 1000 proto bgp
ip -n $N route add 10.244.5.0/24 via 192.0.2.13 proto static
wait_for "PR -j routes | jq -e 'map(select(.prefix == \"0.0.0.0/0\")) | length == 1' >/dev/null" 10 ||
	eq_fail "the default route is not in the maps"
cell "BGP default route: the node's loopback address" slow $N "--port 7000 --udp 32" $P \
	send --dst 10.0.0.1 --port 7000 --src $SRC4 --flows 16
cell "BGP default route: the node's underlay address" slow $N "--port 7000 --udp 32" $P \
	send --dst 192.0.2.1 --port 7000 --src $SRC4 --flows 16
cell "BGP default route: a directly connected host" fast "$(R 5)" "--port 7000 --udp 32" $P \
	send --dst 192.0.2.15 --port 7000 --src $SRC4 --flows 16
cell "BGP default route: a static more-specific route" fast $S "--port 7000 --udp 64" $P \
	send --dst 10.244.5.10 --port 7000 --src $SRC4 --flows 32
ip -n $N route del default nhid 1000 proto bgp
ip -n $N route del 10.244.5.0/24
# Ingress from the provider to the pod.
cell "ingress UDP v4 to the pod" fast $P "--port 7100 --udp 64" $S \
	send --dst 10.128.1.10 --port 7100 --src 10.244.0.10 --flows 32
cell "ingress TCP v6 streams to the pod" fast $P "--port 7100 --tcp 8" $S \
	send --dst fd00:10:128:1::10 --port 7100 --src fd00:244::10 --flows 8 --tcp 262144
# Crafted frames: the kernel discards them, so must podroute.
cell "bad IPv4 header checksum (east-west)" slow $S "--port 7000 --udp 16 --timeout 1" $P \
	raw --if eth0 --dmac "$MP0_MAC" --src 10.128.1.10 --dst 10.244.0.10 --port 7000 --count 16 --bad-ip-csum
cell "VLAN tags, the outer one in the skb (3 tags)" slow $P "--port 7100 --udp 16 --timeout 1" "$(R 1)" \
	raw --if eth0 --dmac "$IN0_MAC" --src 10.244.0.10 --dst 10.128.1.10 --port 7100 --count 16 --tags 3
cell "a VLAN tag for which the node has no VLAN device" slow $P "--port 7100 --udp 16 --timeout 1" "$(R 1)" \
	raw --if eth0 --dmac "$IN0_MAC" --src 10.244.0.10 --dst 10.128.1.10 --port 7100 --count 16 --tags 1
# Generic XDP (forced) on the pod's veth keeps the skb: it agrees too. It
# hands these packets to TC in the frame's metadata; on a kernel that
# refuses XDP metadata they take the slow path (no-handoff), and agree.
gx=fast
[ "$("$PODROUTE" --version --json | jq -r .kernel.xdp_metadata)" = true ] || gx=slow
sed -i 's/^  ovn: \[mp0\]/  ovn: [mp0]\n  mode: generic\n  force_xdp: true/' "$EQ_CFG"
wait_for "grep -q 'mp0: attached as ovn (xdp generic' '$EQ_LOG'" 10 || eq_fail "generic XDP was not attached: $(grep attached "$EQ_LOG" | tail -2)"
cell "east-west UDP v4, generic XDP forced on the pod's veth" $gx $S "--port 7000 --udp 128" $P $(udp4 64)
cell "east-west TCP v4, generic XDP forced on the pod's veth" $gx $S "--port 7000 --tcp 8" $P $(tcp4)
# Control: native XDP forced on the pod's veth loses partial checksums once
# XDP redirects itself (in0 takes XDP frames when its peer has NAPI). The
# comparison must catch it, or it could not catch anything.
x $F ethtool -K fn gro on >/dev/null
sed -i 's/^  mode: generic/  mode: native/' "$EQ_CFG"
wait_for "grep -q 'mp0: attached as ovn (xdp native' '$EQ_LOG'" 10 || eq_fail "native XDP was not attached"
cell "control: native XDP forced on a veth fed by local sockets" differ $S "--port 7000 --udp 128 --timeout 2" $P $(udp4 64)
}

# A tap as the OVN-facing port, held by a "VM" with virtio-net offloads: its
# frames carry partial checksums and GSO in the virtio-net header.
eq_cleanup
eq_world 3 plain tap
eq_agent in0
grep -q "mp0: attached as ovn (tc" "$EQ_LOG" || eq_fail "the tap is not on TC: $(grep attached "$EQ_LOG")"
eq_port_cells "tap (GSO and partial checksums from the VM)" 3

# Real FRR with BFD: a router dies, BFD tells the node's FRR, which takes
# its path out of the kernel's group; podroute follows the kernel.
eq_cleanup
eq_world 3 plain veth frr
eq_agent in0
# shellcheck disable=SC2046
{
cell "FRR: east-west UDP v4 over 3 BGP routers" fast $S "--port 7000 --udp 128" $P $(udp4 64)
cp "$EQ_DIR/enforce.lines" "$EQ_DIR/before.lines" 2>/dev/null
ip -n "$(R 2)" link set eth0 down
wait_for "[ \$(bgp_paths) -eq 2 ]" 20 || eq_fail "BFD/BGP did not take router 2 out: $(bgp_paths) paths"
cell "FRR: east-west UDP v4 after router 2 died (BFD)" fast $S "--port 7000 --udp 128" $P $(udp4 64)
if [ -f "$EQ_DIR/before.lines" ]; then
	grep -q 'if=r2 ' "$EQ_DIR/enforce.lines" && { eq_failed=$((eq_failed + 1)); echo "not ok: a flow went to the dead router 2"; }
	moved=$(join <(awk '$4 != "if=r2" {print $2":"$3, $4}' "$EQ_DIR/before.lines" | sort -u) \
		<(awk '{print $2":"$3, $4}' "$EQ_DIR/enforce.lines" | sort -u) | awk '$2 != $3' | wc -l)
	echo "# router 2 died (BFD): $moved datagram(s) of flows on the surviving routers changed router, as the kernel moved them"
fi
ip -n "$(R 2)" link set eth0 up
wait_for "[ \$(bgp_paths) -eq 3 ]" 60 || eq_fail "router 2 did not come back: $(bgp_paths) paths"
cell "FRR: east-west UDP v4 after router 2 came back" fast $S "--port 7000 --udp 128" $P $(udp4 64)
}

eq_report
echo "equivalence: $eq_cells cells agree (fast path and kernel path alike)"
