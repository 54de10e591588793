# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The differential equivalence suite's world and its one verb, `cell`
# (sourced by selftests/net/test_equivalence.sh on the host and by the VM's
# tests/test_equivalence_devices.sh): the same traffic through a node with
# podroute enforcing and in shadow mode (the kernel's own path), compared at
# the receiving sockets: which datagrams and streams arrived, their bytes
# (a hash), their TTL / hop limit, and the device they came in on, which
# names the router that carried each flow.
#
#   pod P (32 addresses) --OVN port-- node N (agent) --uplink-- fabric br0 --
#        R1 .. Rn (routers, 192.0.2.11..) --r1..rn-- server S
#   S: 10.244.0.10, 10.244.5.10, fd00:244::10. The node learns
#   10.244.0.0/16 and fd00:244::/32 as kernel routes with proto bgp through
#   nexthop objects, as FRR's zebra installs them: one object per router
#   (ids 1.. IPv4, 101.. IPv6) and one group per family (1000, 2000).
#
# eq_world NROUTERS UPLINK OVNPORT [ROUTING]
#   UPLINK   plain: addresses on the veth (in0 / eth0)
#            vlan:  on an 802.1Q sub-interface (in0.100 / eth0.100)
#            qinq:  on 802.1Q 200 inside 802.1ad 100 (in0.100.200 / eth0.100.200)
#   OVNPORT  veth: the pod's veth is the node's OVN-facing port mp0
#            tap:  mp0 is a tap held by build/net/taprelay (a "VM" with
#                  virtio-net offloads), which relays the pod's veth into it
#            ovs:  mp0 is an Open vSwitch internal port on br-int, the pod
#                  a port of that bridge (the VM only: the OVS datapath)
#   ROUTING  static (default): the nexthop objects and routes above, written
#            as zebra would; frr: real FRR (zebra, bgpd, bfdd) on the node and
#            the routers, eBGP with BFD, the routers announcing 10.244/16
#            (IPv4 only)
# The agent (config $EQ_CFG) attaches to the uplink device and to mp0;
# EQ_UL names the uplink device, EQ_LOG its log.
#
# cell NAME fast|slow|differ RECV_NS "RECV_ARGS" SEND_NS SEND_ARGS...
#   Runs SEND_ARGS (flowprobe arguments, or `ping ...`) in SEND_NS against
#   `flowprobe recv RECV_ARGS` in RECV_NS, once in shadow mode and once
#   enforcing, and compares the two. fast: the fast path carried it
#   (redirects while enforcing, "shadow" counted in shadow mode); slow:
#   passed by design (no redirect); differ: a control that must NOT agree.
#   PR_EQ_ONLY=substring runs the matching cells only.
set -u
FP=${FLOWPROBE:-$(dirname "$PODROUTE")/net/flowprobe}
EQ_ID=$$
F=pqf-$EQ_ID N=pqn-$EQ_ID P=pqp-$EQ_ID S=pqs-$EQ_ID V=pqv-$EQ_ID
EQ_PIN=/sys/fs/bpf/pr-eq-$EQ_ID
EQ_DIR=$(mktemp -d /run/prtest-eq.XXXXXX)
EQ_CFG=$EQ_DIR/agent.yaml EQ_LOG=$EQ_DIR/agent.log
EQ_NR=0 EQ_AGENT= EQ_OVS= EQ_RELAY= EQ_FRR=
TAPRELAY=${TAPRELAY:-$(dirname "$PODROUTE")/net/taprelay}
eq_cells=0 eq_failed=0 eq_summary=()

R() { echo "pqr$1-$EQ_ID"; }
x() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$@"; }
PR() { nsenter --net=/run/netns/$N "$PODROUTE" --pin-dir "$EQ_PIN" "$@"; }
eq_fail() { echo "FAIL: $*"; tail -5 "$EQ_LOG" 2>/dev/null | sed 's/^/  agent: /'; exit 1; }

eq_cleanup() {
	[ -n "$EQ_AGENT" ] && kill "$EQ_AGENT" 2>/dev/null && wait "$EQ_AGENT" 2>/dev/null
	EQ_AGENT=
	PR detach --unpin >/dev/null 2>&1
	rm -rf "$EQ_PIN"
	[ -n "$EQ_OVS" ] && ovs-vsctl --if-exists del-br br-eq >/dev/null 2>&1
	[ -n "$EQ_RELAY" ] && kill "$EQ_RELAY" 2>/dev/null && wait "$EQ_RELAY" 2>/dev/null
	[ -n "$EQ_FRR" ] && frr_stop_all
	EQ_RELAY= EQ_FRR=
	for n in $F $N $P $S $V $(for i in $(seq "$EQ_NR"); do R "$i"; done); do ip netns del "$n" 2>/dev/null; done
}

# The device holding a namespace's fabric addresses, made on top of DEV.
uplink_dev() { # ns dev kind
	case $3 in
	plain) echo "$2" ;;
	vlan)
		ip -n "$1" link add link "$2" name "$2.100" type vlan id 100 && ip -n "$1" link set "$2.100" up
		echo "$2.100" ;;
	qinq)
		ip -n "$1" link add link "$2" name "$2.100" type vlan proto 802.1ad id 100 &&
			ip -n "$1" link add link "$2.100" name "$2.100.200" type vlan id 200 &&
			ip -n "$1" link set "$2.100" up && ip -n "$1" link set "$2.100.200" up
		echo "$2.100.200" ;;
	esac
}

plug() { # ns ifname fabric-port v4 v6 uplink-kind: prints the addressed device
	local d
	ip -n $F link add "$3" type veth peer name "$2" netns "$1"
	ip -n $F link set "$3" master br0 && ip -n $F link set "$3" up
	ip -n "$1" link set "$2" up
	d=$(uplink_dev "$1" "$2" "$6") || return 1
	ip -n "$1" addr add "$4/24" dev "$d" && ip -n "$1" addr add "$5/64" dev "$d" nodad || return 1
	echo "$d"
}

# The pod behind the node's OVN-facing port mp0.
eq_pod() { # ovnport
	if [ "$1" = ovs ]; then
		# mp0: an OVS internal port moved into the node, as ovn-k8s-mp0
		# is one; the pod's veth is another port of the same bridge.
		EQ_OVS=1
		ovs-vsctl add-br br-eq -- add-port br-eq mp0 -- set interface mp0 type=internal \
			-- set bridge br-eq fail-mode=standalone >/dev/null || return 1
		ip link add podeq type veth peer name eth0 netns $P
		ip link set podeq up && ovs-vsctl add-port br-eq podeq || return 1
		ip link set mp0 netns $N || return 1
	elif [ "$1" = tap ]; then
		# mp0: a tap whose "VM" side relays the pod's veth (vp0, in V).
		ip netns add $V && ip -n $V link set lo up || return 1
		ip -n $V link add vp0 type veth peer name eth0 netns $P && ip -n $V link set vp0 up || return 1
		rm -f "$EQ_DIR/relay.log"
		nsenter --net=/run/netns/$V "$TAPRELAY" --tap mp0 --tap-netns /run/netns/$N --veth vp0 \
			>"$EQ_DIR/relay.log" 2>&1 &
		EQ_RELAY=$!
		wait_for "grep -q ready '$EQ_DIR/relay.log'" 10 || return 1
	else
		ip -n $N link add mp0 type veth peer name eth0 netns $P
	fi
	ip -n $N addr add 10.128.1.1/24 dev mp0 && ip -n $N addr add fd00:10:128:1::1/64 dev mp0 nodad
	ip -n $N link set mp0 up && ip -n $P link set eth0 up
}

eq_world() { # nrouters uplink ovnport
	local i r n
	EQ_NR=$1
	for n in $F $N $P $S $(for i in $(seq "$EQ_NR"); do R "$i"; done); do
		ip netns add "$n" || eq_fail "netns $n"
		ip -n "$n" link set lo up
		x "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.accept_dad=0
	done
	ip -n $F link add br0 type bridge && ip -n $F link set br0 up
	EQ_UL=$(plug $N in0 fn 192.0.2.1 fd00:192::1 "$2") || eq_fail "node uplink"
	ip -n $N addr add 10.0.0.1/32 dev lo # the node's own address
	for i in $(seq "$EQ_NR"); do
		r=$(R "$i")
		plug "$r" eth0 f$i 192.0.2.$((10 + i)) fd00:192::$((10 + i)) "$2" >/dev/null || eq_fail "router $i"
		ip -n "$r" link add eth1 type veth peer name r$i netns $S
		ip -n "$r" addr add 10.99.$i.1/30 dev eth1 && ip -n "$r" addr add fd00:99:$i::1/64 dev eth1 nodad
		ip -n $S addr add 10.99.$i.2/30 dev r$i && ip -n $S addr add fd00:99:$i::2/64 dev r$i nodad
		ip -n "$r" link set eth1 up && ip -n $S link set r$i up
		# Router <-> server: not podroute's path, so no ARP/ND on it at all
		# (a cold entry drops a burst beyond its queue: 13 of 64 arrived).
		local rm sm
		rm=$(ip -n "$r" -br link show eth1 | awk '{print $3}') sm=$(ip -n $S -br link show r$i | awk '{print $3}')
		ip -n "$r" neigh replace 10.99.$i.2 lladdr "$sm" dev eth1 nud permanent
		ip -n "$r" neigh replace fd00:99:$i::2 lladdr "$sm" dev eth1 nud permanent
		ip -n $S neigh replace 10.99.$i.1 lladdr "$rm" dev r$i nud permanent
		ip -n $S neigh replace fd00:99:$i::1 lladdr "$rm" dev r$i nud permanent
		ip -n "$r" route add 10.244.0.0/16 via 10.99.$i.2 && ip -n "$r" route add fd00:244::/32 via fd00:99:$i::2
		ip -n "$r" route add 10.128.0.0/16 via 192.0.2.1 && ip -n "$r" route add fd00:10:128::/48 via fd00:192::1
	done
	ip -n $S addr add 10.244.0.10/32 dev lo && ip -n $S addr add 10.244.5.10/32 dev lo
	ip -n $S addr add fd00:244::10/128 dev lo
	ip -n $S route add 10.128.0.0/16 via 10.99.1.1 && ip -n $S route add fd00:10:128::/48 via fd00:99:1::1
	eq_pod "$3" || eq_fail "pod behind a $3 port"
	SRC4= SRC6=
	for i in $(seq 10 41); do
		ip -n $P addr add 10.128.1.$i/24 dev eth0 && ip -n $P addr add fd00:10:128:1::$i/64 dev eth0 nodad
		SRC4+=${SRC4:+,}10.128.1.$i SRC6+=${SRC6:+,}fd00:10:128:1::$i
	done
	ip -n $P route add default via 10.128.1.1 && ip -n $P route add default via fd00:10:128:1::1
	POD_MAC=$(ip -n $P -br link show eth0 | awk '{print $3}')
	MP0_MAC=$(ip -n $N -br link show mp0 | awk '{print $3}')
	IN0_MAC=$(ip -n $N -br link show in0 | awk '{print $3}')
	# The node's neighbours resolved before traffic, so that no cell races
	# ARP/ND: a burst that waits for a resolution may lose datagrams, which
	# would test ARP, not podroute.
	for i in $(seq "$EQ_NR"); do
		x $N ping -c1 -W2 192.0.2.$((10 + i)) >/dev/null && x $N ping -6 -c1 -W2 fd00:192::$((10 + i)) >/dev/null ||
			eq_fail "router $i unreachable over $EQ_UL"
	done
	x $P ping -c1 -W2 10.128.1.1 >/dev/null && x $P ping -6 -c1 -W2 fd00:10:128:1::1 >/dev/null || eq_fail "pod"
	if [ "${4:-static}" = frr ]; then
		eq_frr
		return
	fi
	for i in $(seq "$EQ_NR"); do
		ip -n $N nexthop add id "$i" via 192.0.2.$((10 + i)) dev "$EQ_UL" proto bgp
		ip -n $N nexthop add id $((100 + i)) via fd00:192::$((10 + i)) dev "$EQ_UL" proto bgp
	done
	group 1 1
	ip -n $N route add 10.244.0.0/16 nhid 1000 proto bgp && ip -n $N -6 route add fd00:244::/32 nhid 2000 proto bgp ||
		eq_fail "learned routes"
}

# FRR on the node and every router: eBGP with BFD; the node installs the
# routers' 10.244.0.0/16 as one multipath route (a nexthop group).
eq_frr() {
	local i nb=
	. "$(dirname "${BASH_SOURCE[0]}")/frr.sh"
	EQ_FRR=1
	for i in $(seq "$EQ_NR"); do
		frr_start "$(R "$i")" "frr defaults datacenter
hostname r$i
router bgp $((65100 + i))
 bgp router-id 192.0.2.$((10 + i))
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.1 remote-as 65001
 neighbor 192.0.2.1 bfd
 address-family ipv4 unicast
  network 10.244.0.0/16
 exit-address-family
" || eq_fail "FRR on router $i"
		nb+=" neighbor 192.0.2.$((10 + i)) remote-as $((65100 + i))
 neighbor 192.0.2.$((10 + i)) bfd
"
	done
	frr_start $N "frr defaults datacenter
hostname node
router bgp 65001
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 bgp bestpath as-path multipath-relax
$nb address-family ipv4 unicast
  maximum-paths 16
 exit-address-family
" || eq_fail "FRR on the node"
	wait_for "[ \$(bgp_paths) -eq $EQ_NR ]" 90 || eq_fail "the node has $(bgp_paths) BGP paths to 10.244.0.0/16, not $EQ_NR"
}

# How many next hops the node's kernel route to 10.244.0.0/16 has (FRR
# installs it through a nexthop group).
bgp_paths() {
	local nhid
	nhid=$(ip -n $N -j route show 10.244.0.0/16 proto bgp | jq -r '.[0].nhid // empty')
	[ -n "$nhid" ] || { echo 0; return; }
	ip -n $N -j nexthop show id "$nhid" | jq '.[0].group // [1] | length'
}

# The groups over routers first..last, leaving out `skip` (a failed router).
group() { # first last [skip]
	local g4= g6= i
	for i in $(seq "$1" "$2"); do
		[ "$i" = "${3:-0}" ] && continue
		g4+=${g4:+/}$i g6+=${g6:+/}$((100 + i))
	done
	ip -n $N nexthop replace id 1000 group "$g4" proto bgp &&
		ip -n $N nexthop replace id 2000 group "$g6" proto bgp
}

eq_agent() { # underlay devices (YAML list body)
	cat >"$EQ_CFG" <<YAML
shadow: true
interfaces:
  underlay: [$1]
  ovn: [mp0]
accept:
  protocols: [bgp]
  prefixes: ["0.0.0.0/0", "::/0"]
  covering: true   # the BGP default-route cells
networks:
  - name: default
    prefixes: [10.128.1.0/24, fd00:10:128:1::/64]
    target: {port: mp0, mac: $POD_MAC}
YAML
	# nsenter itself, not through x(): $! must be the agent (nsenter execs
	# it), not a subshell that would outlive nothing when killed. An
	# earlier world's log goes first (its "agent running" is not this one's).
	rm -f "$EQ_LOG"
	nsenter --net=/run/netns/$N "$PODROUTE" --pin-dir "$EQ_PIN" agent --config "$EQ_CFG" >"$EQ_LOG" 2>&1 &
	EQ_AGENT=$!
	wait_for "grep -q 'agent running' '$EQ_LOG'" 30 || eq_fail "agent did not start: $(cat "$EQ_LOG")"
	wait_for "PR -j routes | jq -e 'map(select(.prefix == \"10.244.0.0/16\")) | length == 1' >/dev/null" 20 ||
		eq_fail "the learned route is not in the maps"
}

set_mode() { # shadow|enforce
	local want=false
	[ "$1" = shadow ] && want=true
	sed -i "s/^shadow: .*/shadow: $want/" "$EQ_CFG"
	wait_for "[ \"\$(PR -j status | jq -r .shadow)\" = $want ]" 20 || eq_fail "the agent did not apply shadow: $want"
}
count() { PR -j stats | jq "[.[] | select(.reason == \"$1\") | .packets] | add // 0"; }

cell() {
	local name=$1 expect=$2 rns=$3 rargs=$4 sns=$5 m r0 s0 rpid out verdict=ok why=
	local shadow_red shadow_sh enforce_red enforce_sh shadow_n enforce_n
	shift 5
	[ -n "${PR_EQ_ONLY:-}" ] && [[ $name != *"$PR_EQ_ONLY"* ]] && return 0
	eq_cells=$((eq_cells + 1))
	for m in shadow enforce; do
		set_mode $m
		r0=$(count redirect) s0=$(count shadow)
		# The last cell's file goes first: its "listening" must not pass for
		# this receiver's before the new process has even truncated it.
		rm -f "$EQ_DIR/$m.recv"
		# shellcheck disable=SC2086
		nsenter --net=/run/netns/"$rns" "$FP" recv $rargs >"$EQ_DIR/$m.recv" 2>&1 &
		rpid=$!
		wait_for "grep -q '^listening' '$EQ_DIR/$m.recv'" 10 || eq_fail "$name: receiver did not start"
		if [ "$1" = ping ]; then # ping cells count the echo replies
			x "$sns" "$@" 2>&1 | sed -n 's/.* \([0-9]*\) received.*/ping received=\1/p' >"$EQ_DIR/$m.send"
		else
			x "$sns" "$FP" "$@" >"$EQ_DIR/$m.send" 2>&1
		fi
		wait "$rpid"
		[ "$1" = ping ] && cat "$EQ_DIR/$m.send" >>"$EQ_DIR/$m.recv"
		grep -v '^listening\|^received' "$EQ_DIR/$m.recv" | sort >"$EQ_DIR/$m.lines"
		eval "${m}_red=\$((\$(count redirect) - r0)) ${m}_sh=\$((\$(count shadow) - s0))"
		eval "${m}_n=\$(grep -c . '$EQ_DIR/$m.lines')"
	done
	if cmp -s "$EQ_DIR/shadow.lines" "$EQ_DIR/enforce.lines"; then
		[ "$expect" = differ ] && verdict=FAIL why="the control agreed"
	elif [ "$expect" != differ ]; then
		verdict=FAIL
		why="differs: $(diff "$EQ_DIR/shadow.lines" "$EQ_DIR/enforce.lines" | grep '^[<>]' | head -4 | tr '\n' ';')"
	fi
	case $expect in
	fast) [ "$enforce_red" -gt 0 ] && [ "$shadow_sh" -gt 0 ] ||
		{ verdict=FAIL; why+=" not fast-pathed (enforcing: $enforce_red redirects; shadow: $shadow_sh)"; } ;;
	slow) [ "$enforce_red" -eq 0 ] || { verdict=FAIL; why+=" $enforce_red redirects where the slow path is the rule"; } ;;
	esac
	# A cell that delivered nothing proves nothing unless nothing is the answer.
	[ "$expect" != slow ] && [ "$shadow_n" -eq 0 ] && { verdict=FAIL; why+=" nothing delivered"; }
	out="$name: $shadow_n/$enforce_n results shadow/enforcing, $enforce_red redirected while enforcing"
	eq_summary+=("$verdict|$expect|$out")
	if [ $verdict = ok ]; then
		echo "ok $eq_cells $out"
	else
		eq_failed=$((eq_failed + 1))
		echo "not ok $eq_cells $out: $why"
	fi
}

# flowprobe arguments: FLOWS datagrams x2 (or streams of BYTES) to the server.
udp4() { echo send --dst 10.244.0.10 --port 7000 --src "$SRC4" --flows "${1:-64}" --per-flow 2 "${@:2}"; }
udp6() { echo send --dst fd00:244::10 --port 7000 --src "$SRC6" --flows "${1:-64}" --per-flow 2 "${@:2}"; }
tcp4() { echo send --dst 10.244.0.10 --port 7000 --src "$SRC4" --flows "${1:-8}" --tcp "${2:-262144}"; }
tcp6() { echo send --dst fd00:244::10 --port 7000 --src "$SRC6" --flows "${1:-8}" --tcp "${2:-262144}"; }

# The cells every kind of port and uplink gets: east-west UDP v4 and v6 and
# TCP streams v4 and v6 over the group of routers 1..N, ingress UDP v4 and
# TCP v6 streams to the pod. LABEL prefixes their names.
# shellcheck disable=SC2046
eq_port_cells() { # LABEL N
	group 1 "$2"
	cell "$1: east-west UDP v4, $2 next hops" fast $S "--port 7000 --udp 64" $P $(udp4 32)
	cell "$1: east-west UDP v6, $2 next hops" fast $S "--port 7000 --udp 32" $P $(udp6 16)
	cell "$1: east-west TCP v4 streams" fast $S "--port 7000 --tcp 4" $P $(tcp4 4 131072)
	cell "$1: east-west TCP v6 streams" fast $S "--port 7000 --tcp 4" $P $(tcp6 4 131072)
	cell "$1: ingress UDP v4 to the pod" fast $P "--port 7100 --udp 32" $S \
		send --dst 10.128.1.10 --port 7100 --src 10.244.0.10 --flows 16
	cell "$1: ingress TCP v6 streams to the pod" fast $P "--port 7100 --tcp 4" $S \
		send --dst fd00:10:128:1::10 --port 7100 --src fd00:244::10 --flows 4 --tcp 131072
}

# The verdict: every cell's line, then exit 1 if any differed.
eq_report() {
	local s
	echo "# cells: $eq_cells, failed: $eq_failed"
	for s in "${eq_summary[@]}"; do echo "# $s"; done
	[ "$eq_failed" -eq 0 ] || eq_fail "$eq_failed of $eq_cells cells differ"
}
