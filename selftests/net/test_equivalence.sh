#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The differential equivalence suite (host kernel): the same traffic through
# a node with podroute enforcing and in shadow mode (the kernel's own path),
# compared at the receiving sockets. Every cell runs both ways and must
# agree on what applications see: which datagrams and streams arrived,
# their bytes (a hash), their TTL / hop limit, and the device they came in
# on, which names the router that carried each flow. A cell also says
# whether the fast path carried it (redirect counters moved while
# enforcing) or passed it by design (they did not), and checks that.
#
#   pod P (32 addresses) --mp0-- node N (agent; in0 on the fabric) --br0--
#        R1 .. R16 (routers on the fabric, 192.0.2.11-26) --r1..r16-- server S
#   S: 10.244.0.10, fd00:244::10; the node learns 10.244.0.0/16 and
#   fd00:244::/32 as kernel routes with proto bgp through nexthop objects, as
#   FRR's zebra installs them (groups of 1, 2, 3, 8, 9, 16 routers).
#
# Traffic comes from ordinary sockets (build/net/flowprobe) with the
# devices' default offloads (tx checksum, TSO/GSO, GRO) unless a cell turns
# them off; crafted frames (bad IPv4 checksum, VLAN tags) come from
# AF_PACKET. Each cell prints its packet counts; `PR_EQ_ONLY=substring`
# runs the matching cells only.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
FP=${FLOWPROBE:-$(dirname "$PODROUTE")/net/flowprobe}
[ -x "$FP" ] || { echo "FAIL: $FP missing (make check builds it)"; exit 1; }
ID=$$ NR=16
F=pqf-$ID N=pqn-$ID P=pqp-$ID S=pqs-$ID
PIN=/sys/fs/bpf/pr-eq-$ID
dir=$(mktemp -d /run/prtest-eq.XXXXXX)
cfg=$dir/agent.yaml log=$dir/agent.log
AGENT_PID=
cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	nsenter --net=/run/netns/$N "$PODROUTE" --pin-dir "$PIN" detach --unpin >/dev/null 2>&1
	rm -rf "$PIN"
	for n in $F $N $P $S $(for i in $(seq $NR); do echo pqr$i-$ID; done); do ip netns del "$n" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -5 "$log" 2>/dev/null | sed 's/^/  agent: /'; exit 1; }
R() { echo "pqr$1-$ID"; }
x() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$@"; }
PR() { nsenter --net=/run/netns/$N "$PODROUTE" --pin-dir "$PIN" "$@"; }

# ---- topology ----
for n in $F $N $P $S; do ip netns add "$n" || fail "netns"; done
for i in $(seq $NR); do ip netns add "$(R "$i")" || fail "netns"; done
for n in $F $N $P $S $(for i in $(seq $NR); do R "$i"; done); do
	ip -n "$n" link set lo up
	x "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.accept_dad=0
done
ip -n $F link add br0 type bridge && ip -n $F link set br0 up
plug() { # ns ifname fabric-port v4 v6
	ip -n $F link add "$3" type veth peer name "$2" netns "$1"
	ip -n $F link set "$3" master br0 && ip -n $F link set "$3" up
	ip -n "$1" addr add "$4/24" dev "$2" && ip -n "$1" addr add "$5/64" dev "$2" nodad
	ip -n "$1" link set "$2" up
}
plug $N in0 fn 192.0.2.1 fd00:192::1
ip -n $N addr add 10.0.0.1/32 dev lo                   # the node's own address
for i in $(seq $NR); do
	r=$(R "$i")
	plug "$r" eth0 f$i 192.0.2.$((10 + i)) fd00:192::$((10 + i))
	ip -n "$r" link add eth1 type veth peer name r$i netns $S
	ip -n "$r" addr add 10.99.$i.1/30 dev eth1 && ip -n "$r" addr add fd00:99:$i::1/64 dev eth1 nodad
	ip -n $S addr add 10.99.$i.2/30 dev r$i && ip -n $S addr add fd00:99:$i::2/64 dev r$i nodad
	ip -n "$r" link set eth1 up && ip -n $S link set r$i up
	ip -n "$r" route add 10.244.0.0/16 via 10.99.$i.2 && ip -n "$r" route add fd00:244::/32 via fd00:99:$i::2
	ip -n "$r" route add 10.128.0.0/16 via 192.0.2.1 && ip -n "$r" route add fd00:10:128::/48 via fd00:192::1
done
ip -n $S addr add 10.244.0.10/32 dev lo && ip -n $S addr add 10.244.5.10/32 dev lo
ip -n $S addr add fd00:244::10/128 dev lo
ip -n $S route add 10.128.0.0/16 via 10.99.1.1 && ip -n $S route add fd00:10:128::/48 via fd00:99:1::1
# The pod: an OVN-facing veth with default offloads, 32 source addresses.
ip -n $N link add mp0 type veth peer name eth0 netns $P
ip -n $N addr add 10.128.1.1/24 dev mp0 && ip -n $N addr add fd00:10:128:1::1/64 dev mp0 nodad
ip -n $N link set mp0 up && ip -n $P link set eth0 up
SRC4= SRC6=
for a in $(seq 10 41); do
	ip -n $P addr add 10.128.1.$a/24 dev eth0 && ip -n $P addr add fd00:10:128:1::$a/64 dev eth0 nodad
	SRC4+=${SRC4:+,}10.128.1.$a SRC6+=${SRC6:+,}fd00:10:128:1::$a
done
ip -n $P route add default via 10.128.1.1 && ip -n $P route add default via fd00:10:128:1::1
POD_MAC=$(ip -n $P -br link show eth0 | awk '{print $3}')
MP0_MAC=$(ip -n $N -br link show mp0 | awk '{print $3}')
IN0_MAC=$(ip -n $N -br link show in0 | awk '{print $3}')
# Neighbours resolved before traffic, so that no cell races ARP/ND.
for i in $(seq $NR); do
	x $N ping -c1 -W2 192.0.2.$((10 + i)) >/dev/null && x $N ping -6 -c1 -W2 fd00:192::$((10 + i)) >/dev/null ||
		fail "router $i unreachable"
done
x $P ping -c1 -W2 10.128.1.1 >/dev/null && x $P ping -6 -c1 -W2 fd00:10:128:1::1 >/dev/null || fail "pod"

# The learned routes, as zebra installs them: one nexthop object per router
# (ids 1-16 IPv4, 101-116 IPv6) and a group per family (1000, 2000).
for i in $(seq $NR); do
	ip -n $N nexthop add id "$i" via 192.0.2.$((10 + i)) dev in0 proto bgp
	ip -n $N nexthop add id $((100 + i)) via fd00:192::$((10 + i)) dev in0 proto bgp
done
group() { # first last [skip]: the IPv4 and IPv6 groups over routers first..last
	local g4= g6= i
	for i in $(seq "$1" "$2"); do
		[ "$i" = "${3:-0}" ] && continue
		g4+=${g4:+/}$i g6+=${g6:+/}$((100 + i))
	done
	ip -n $N nexthop replace id 1000 group "$g4" proto bgp &&
		ip -n $N nexthop replace id 2000 group "$g6" proto bgp
}
group 1 1
ip -n $N route add 10.244.0.0/16 nhid 1000 proto bgp && ip -n $N -6 route add fd00:244::/32 nhid 2000 proto bgp ||
	fail "learned routes"

cat >"$cfg" <<YAML
shadow: true
interfaces:
  underlay: [in0]
  ovn: [mp0]
accept:
  protocols: [bgp]
  prefixes: ["0.0.0.0/0", "::/0"]
networks:
  - name: default
    prefixes: [10.128.1.0/24, fd00:10:128:1::/64]
    target: {port: mp0, mac: $POD_MAC}
YAML
x $N "$PODROUTE" --pin-dir "$PIN" agent --config "$cfg" >"$log" 2>&1 &
AGENT_PID=$!
wait_for "grep -q 'agent running' '$log'" 20 || fail "agent did not start: $(cat "$log")"
wait_for "PR -j routes | jq -e 'map(select(.prefix == \"10.244.0.0/16\")) | length == 1' >/dev/null" 10 ||
	fail "the learned route is not in the maps"
grep -q "in0: attached as underlay (tc" "$log" && grep -q "mp0: attached as ovn (tc" "$log" ||
	fail "auto mode did not choose TC on veths: $(grep attached "$log")"

# ---- one cell ----
set_mode() { # shadow|enforce
	local want=false
	[ "$1" = shadow ] && want=true
	sed -i "s/^shadow: .*/shadow: $want/" "$cfg"
	wait_for "[ \"\$(PR -j status | jq -r .shadow)\" = $want ]" 10 || fail "the agent did not apply shadow: $want"
}
count() { PR -j stats | jq "[.[] | select(.reason == \"$1\") | .packets] | add // 0"; }

cells=0 failed=0 summary=()
# cell NAME fast|slow|differ RECV_NS "RECV_ARGS" SEND_NS SEND_ARGS...
#   fast: the fast path carried it (redirects while enforcing, none passed
#   as shadow would); slow: passed by design (no redirect); differ: a
#   control that must NOT agree (proves the comparison can fail).
cell() {
	local name=$1 expect=$2 rns=$3 rargs=$4 sns=$5 m r0 s0 rpid out verdict=ok why=
	shift 5
	[ -n "${PR_EQ_ONLY:-}" ] && [[ $name != *"$PR_EQ_ONLY"* ]] && return 0
	cells=$((cells + 1))
	for m in shadow enforce; do
		set_mode $m
		r0=$(count redirect) s0=$(count shadow)
		# shellcheck disable=SC2086
		x "$rns" "$FP" recv $rargs >"$dir/$m.recv" 2>&1 &
		rpid=$!
		wait_for "grep -q '^listening' '$dir/$m.recv'" 5 || fail "$name: receiver did not start"
		if [ "$1" = ping ]; then # ping cells count the echo replies
			x "$sns" "$@" 2>&1 | sed -n 's/.* \([0-9]*\) received.*/ping received=\1/p' >"$dir/$m.send"
		else
			x "$sns" "$FP" "$@" >"$dir/$m.send" 2>&1
		fi
		wait "$rpid"
		[ "$1" = ping ] && cat "$dir/$m.send" >>"$dir/$m.recv"
		grep -v '^listening\|^received' "$dir/$m.recv" | sort >"$dir/$m.lines"
		eval "${m}_red=\$((\$(count redirect) - r0)) ${m}_sh=\$((\$(count shadow) - s0))"
		eval "${m}_n=\$(grep -c . '$dir/$m.lines')"
	done
	if cmp -s "$dir/shadow.lines" "$dir/enforce.lines"; then
		[ "$expect" = differ ] && verdict=FAIL why="the control agreed"
	else
		[ "$expect" = differ ] || { verdict=FAIL; why="differs: $(diff "$dir/shadow.lines" "$dir/enforce.lines" | grep '^[<>]' | head -4 | tr '\n' ';')"; }
	fi
	case $expect in
	fast) [ "$enforce_red" -gt 0 ] && [ "$shadow_sh" -gt 0 ] ||
		{ verdict=FAIL; why+=" not fast-pathed (enforcing: $enforce_red redirects; shadow: $shadow_sh)"; } ;;
	slow) [ "$enforce_red" -eq 0 ] || { verdict=FAIL; why+=" $enforce_red redirects where the slow path is the rule"; } ;;
	esac
	# A cell that delivered nothing proves nothing unless nothing is the answer.
	[ "$expect" != slow ] && [ "$shadow_n" -eq 0 ] && { verdict=FAIL; why+=" nothing delivered"; }
	out="$name: $shadow_n/$enforce_n results shadow/enforcing, $enforce_red redirected while enforcing"
	summary+=("$verdict|$expect|$out")
	if [ $verdict = ok ]; then
		echo "ok $cells $out"
	else
		failed=$((failed + 1))
		echo "not ok $cells $out: $why"
	fi
}

udp4() { echo send --dst 10.244.0.10 --port 7000 --src $SRC4 --flows "${1:-64}" --per-flow 2 "${@:2}"; }
udp6() { echo send --dst fd00:244::10 --port 7000 --src $SRC6 --flows "${1:-64}" --per-flow 2 "${@:2}"; }
tcp4() { echo send --dst 10.244.0.10 --port 7000 --src $SRC4 --flows "${1:-8}" --tcp "${2:-262144}"; }
tcp6() { echo send --dst fd00:244::10 --port 7000 --src $SRC6 --flows "${1:-8}" --tcp "${2:-262144}"; }
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
[ -f "$dir/enforce.lines" ] && grep -q 'if=r1 ' "$dir/enforce.lines" && { failed=$((failed + 1)); echo "not ok: a flow still went to router 1 after it left the group"; }
group 1 16; group 1 7
cell "east-west UDP v6 after 1-16 became 1-7" fast $S "--port 7000 --udp 64" $P $(udp6 32)
group 1 3
cell "east-west UDP v4 over routers 1-3 (before a failure)" fast $S "--port 7000 --udp 128" $P $(udp4 64)
[ -f "$dir/enforce.lines" ] && cp "$dir/enforce.lines" "$dir/before.lines"
# Router 2 dies: BFD tells FRR, which replaces the group without it.
ip -n "$(R 2)" link set eth0 down
group 1 3 2
cell "east-west UDP v4 after router 2 failed (group 1,3)" fast $S "--port 7000 --udp 128" $P $(udp4 64)
[ -f "$dir/before.lines" ] && moved=$(join <(awk '$4 != "if=r2" {print $2":"$3, $4}' "$dir/before.lines" | sort -u) \
	<(awk '{print $2":"$3, $4}' "$dir/enforce.lines" | sort -u) | awk '$2 != $3' | wc -l)
[ -f "$dir/before.lines" ] && echo "# router 2 lost: $moved datagram(s) of flows on the surviving routers changed router (the kernel's own choice, fast and slow alike)"
ip -n "$(R 2)" link set eth0 up
group 1 3
# A BGP default route beside the node's addresses, connected routes and a
# static more-specific route: the kernel decides, podroute follows or passes.
ip -n $N route add default nhid 1000 proto bgp
ip -n $N route add 10.244.5.0/24 via 192.0.2.13 proto static
wait_for "PR -j routes | jq -e 'map(select(.prefix == \"0.0.0.0/0\")) | length == 1' >/dev/null" 10 ||
	fail "the default route is not in the maps"
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
# Generic XDP (forced) on the pod's veth keeps the skb: it agrees too.
sed -i 's/^  ovn: \[mp0\]/  ovn: [mp0]\n  mode: generic\n  force_xdp: true/' "$cfg"
wait_for "grep -q 'mp0: attached as ovn (xdp generic' '$log'" 10 || fail "generic XDP was not attached: $(grep attached "$log" | tail -2)"
cell "east-west UDP v4, generic XDP forced on the pod's veth" fast $S "--port 7000 --udp 128" $P $(udp4 64)
cell "east-west TCP v4, generic XDP forced on the pod's veth" fast $S "--port 7000 --tcp 8" $P $(tcp4)
# Control: native XDP forced on the pod's veth loses partial checksums once
# XDP redirects itself (in0 takes XDP frames when its peer has NAPI). The
# comparison must catch it, or it could not catch anything.
x $F ethtool -K fn gro on >/dev/null
sed -i 's/^  mode: generic/  mode: native/' "$cfg"
wait_for "grep -q 'mp0: attached as ovn (xdp native' '$log'" 10 || fail "native XDP was not attached"
cell "control: native XDP forced on a veth fed by local sockets" differ $S "--port 7000 --udp 128 --timeout 2" $P $(udp4 64)
}

[ -n "${PR_EQ_DEBUG:-}" ] && { PR stats; bpftool map dump pinned "$PIN/pr_xdp_txports"; ip -n $N link show in0; }
echo "# cells: $cells, failed: $failed"
for s in "${summary[@]}"; do echo "# $s"; done
[ "$failed" -eq 0 ] || fail "$failed of $cells cells differ"
echo "equivalence: $cells cells agree (fast path and kernel path alike)"
