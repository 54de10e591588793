#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The netlink follower (user/kernel/follower.c) against the real kernel, in a
# namespace of its own. A driver (`podroute debug netlink`, or a two-line
# stand-in built here against build/libpodroute.a until the CLI has it)
# prints one line per event; each check makes a change with ip(8) and
# waits, with a timeout, for the exact line it must produce:
#  - single-path IPv4 and IPv6 routes, multipath with weights, tables 100
#    and 100000, route delete;
#  - nexthop objects in nexthop_compat_mode=1 and =0: nhid routes with the
#    expanded gateway, `ip nexthop replace` of a single object and of a
#    group member re-announcing the routes that use them, a member's
#    deletion shrinking the group's routes, an object's deletion deleting
#    its routes (the kernel says nothing of these);
#  - neighbour add / change / delete, one without a link-layer address;
#  - link down/up of a link in use: the kernel flushes IPv4 routes through
#    it silently, the follower resyncs and reports what is left;
#  - a notification overrun (tiny buffer, driver stopped) ends in a full
#    resync that reports every route.
# TAP on stdout; exit 0 pass, 1 fail, 4 skip.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
for t in ip gcc make; do
	command -v "$t" >/dev/null || { echo "needs $t"; exit 4; }
done

NS=prnl-$$
dir=$(mktemp -d /run/prtest-nlsource.XXXXXX)
DRV_PID= DRV2_PID=
cleanup() {
	# Ours only, by pid; SIGKILL also ends a driver left stopped.
	for p in $DRV_PID $DRV2_PID; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$dir"
	return 0
}
trap cleanup EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1"
	echo "#   wanted: $2"
	tail -n +$((MARK + 1)) "$OUT" | tail -15 | sed 's/^/#   got: /'
}
bail() { echo "Bail out! $*"; [ -f "${OUT:-/dev/null}" ] && tail -20 "$OUT" | sed 's/^/# /'; exit 1; }

# ---- the driver ----
PODROUTE=${PODROUTE:-$ROOT/build/podroute}
if [ -x "$PODROUTE" ] && "$PODROUTE" debug netlink --help >/dev/null 2>&1; then
	DRIVER=("$PODROUTE" debug netlink)
else
	make -s -C "$ROOT" build/libpodroute.a >"$dir/build.log" 2>&1 ||
		{ sed 's/^/# /' "$dir/build.log" | tail -20; bail "cannot build build/libpodroute.a"; }
	printf '#include "kernel/follower.h"\nint main(int argc, char **argv)\n{\n\treturn pr_follower_debug_main(argc, argv);\n}\n' >"$dir/nldebug.c"
	gcc -std=gnu11 -I"$ROOT/include" -I"$ROOT/user" -I/usr/include/libnl3 -o "$dir/nldebug" \
		"$dir/nldebug.c" "$ROOT/build/libpodroute.a" -lbpf -lxdp -lnl-route-3 -lnl-3 -lyaml -lelf -lz \
		>"$dir/build.log" 2>&1 || { sed 's/^/# /' "$dir/build.log" | tail -20; bail "cannot build the driver"; }
	DRIVER=("$dir/nldebug")
fi

# ---- the namespace ----
ipn() { ip -n "$NS" "$@"; }
ip netns add "$NS" || bail "ip netns add"
ipn link set lo up
ipn link add a0 type veth peer name b0
ipn link add a1 type veth peer name b1
for d in a0 b0 a1 b1; do ipn link set "$d" up; done
ipn addr add 192.0.2.1/24 dev a0
ipn addr add 198.51.100.1/24 dev a1
ipn -6 addr add 2001:db8::1/64 dev a0 nodad
ifindex() { ip netns exec "$NS" cat "/sys/class/net/$1/ifindex"; }
A0=$(ifindex a0) A1=$(ifindex a1)
ipn nexthop show >/dev/null 2>&1 || { echo "kernel without nexthop objects"; exit 4; }

OUT=$dir/out MARK=0
ip netns exec "$NS" "${DRIVER[@]}" >"$OUT" 2>"$dir/err" &
DRV_PID=$!

mark() { MARK=$(wc -l <"$OUT"); }
# found MODE PATTERN: a line after the mark, -Fx exact or -Ex regex.
found() { tail -n +$((MARK + 1)) "$OUT" | grep -q"$1" -- "$2"; }
# wait_for MODE PATTERN [SECONDS]: poll the driver's output until it comes.
wait_for() {
	local end=$((SECONDS + ${3:-5}))

	until found "$1" "$2"; do
		kill -0 "$DRV_PID" 2>/dev/null || return 1
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}
expect() { if wait_for Fx "$2" "${3:-}"; then ok "$1"; else not_ok "$1" "$2"; fi; }
expect_re() { if wait_for Ex "$2" "${3:-}"; then ok "$1"; else not_ok "$1" "/$2/"; fi; }
kernel_has_no() { [ -z "$(ipn "$@")" ]; }

wait_for Fx ready 10 || bail "driver not ready: $(tail -3 "$dir/err")"
ok "initial dump, then ready"
MARK=0
expect "dump: links with ifindex, state and kind" \
	"link new $A0 a0 up carrier kind veth master 0 mtu 1500 addr $(ip netns exec "$NS" cat /sys/class/net/a0/address)"
rt="table 254 proto bgp type unicast metric 0"

# ---- plain routes ----
mark; ipn route add 10.9.0.0/24 via 192.0.2.10 proto bgp
expect "IPv4 route via a gateway" "route new 10.9.0.0/24 $rt nhid 0 paths 1 nexthop via 192.0.2.10 dev $A0 weight 1"
mark; ipn -6 route add 2001:db8:9::/64 via 2001:db8::10 proto bgp
expect "IPv6 route via a gateway" \
	"route new 2001:db8:9::/64 table 254 proto bgp type unicast metric 1024 nhid 0 paths 1 nexthop via 2001:db8::10 dev $A0 weight 1"
mark; ipn route add 10.31.0.0/24 proto bgp nexthop via 192.0.2.10 dev a0 weight 1 nexthop via 198.51.100.11 dev a1 weight 3
expect "multipath route with weights" \
	"route new 10.31.0.0/24 $rt nhid 0 paths 2 nexthop via 192.0.2.10 dev $A0 weight 1 nexthop via 198.51.100.11 dev $A1 weight 3"
mark; ipn route add 10.32.0.0/24 via 192.0.2.10 table 100 proto bgp
expect "route in table 100" \
	"route new 10.32.0.0/24 table 100 proto bgp type unicast metric 0 nhid 0 paths 1 nexthop via 192.0.2.10 dev $A0 weight 1"
mark; ipn route add 10.33.0.0/24 via 192.0.2.10 table 100000 proto bgp metric 20
expect "route in table 100000 (RTA_TABLE), metric" \
	"route new 10.33.0.0/24 table 100000 proto bgp type unicast metric 20 nhid 0 paths 1 nexthop via 192.0.2.10 dev $A0 weight 1"
mark; ipn route del 10.9.0.0/24
expect "route delete" "route del 10.9.0.0/24 $rt nhid 0 paths 1 nexthop via 192.0.2.10 dev $A0 weight 1"

# ---- nexthop objects, in both compat modes ----
# b: 1 or 2, used in ids, prefixes and gateways so the two runs differ.
nexthop_suite() {
	local mode=$1 b=$2 chg
	local s=${b}10 m1=${b}11 m2=${b}12 g=${b}15 p1=10.1$b.1.0/24 p2=10.1$b.2.0/24

	ip netns exec "$NS" sysctl -qw net.ipv4.nexthop_compat_mode="$mode" || bail "sysctl"
	# In mode 1 the kernel re-announces routes itself after a replace; in
	# mode 0 only the follower does, and says why.
	[ "$mode" = 0 ] && chg=" \(nexthop changed\)" || chg="( \(nexthop changed\))?"
	mark; ipn nexthop add id "$s" via "192.0.2.$s" dev a0
	ipn route add "$p1" nhid "$s" proto bgp
	expect "mode $mode: nhid route with the object's gateway" \
		"route new $p1 $rt nhid $s paths 1 nexthop via 192.0.2.$s dev $A0 weight 1"
	mark; ipn nexthop add id "$m1" via "192.0.2.$m1" dev a0
	ipn nexthop add id "$m2" via "198.51.100.$m2" dev a1
	ipn nexthop add id "$g" group "$m1/$m2,3"
	ipn route add "$p2" nhid "$g" proto bgp
	expect "mode $mode: nhid route through a group, weights" \
		"route new $p2 $rt nhid $g paths 2 nexthop via 192.0.2.$m1 dev $A0 weight 1 nexthop via 198.51.100.$m2 dev $A1 weight 3"
	mark; ipn nexthop replace id "$s" via "192.0.2.${b}19" dev a0
	expect_re "mode $mode: nexthop replace re-announces its route" \
		"route new ${p1//./\\.} $rt nhid $s paths 1 nexthop via 192\.0\.2\.${b}19 dev $A0 weight 1$chg"
	mark; ipn nexthop replace id "$m2" via "198.51.100.${b}18" dev a1
	expect_re "mode $mode: replacing a group member re-announces the group's route" \
		"route new ${p2//./\\.} $rt nhid $g paths 2 nexthop via 192\.0\.2\.$m1 dev $A0 weight 1 nexthop via 198\.51\.100\.${b}18 dev $A1 weight 3$chg"
	# The kernel shrinks the group without a route message in either mode.
	mark; ipn nexthop del id "$m1"
	expect "mode $mode: deleting a group member re-announces the group's route" \
		"route new $p2 $rt nhid $g paths 1 nexthop via 198.51.100.${b}18 dev $A1 weight 3 (nexthop changed)"
	mark; ipn nexthop del id "$s"
	expect "mode $mode: deleting an object deletes its route" \
		"route del $p1 $rt nhid $s paths 0 (nexthop deleted)"
	if kernel_has_no route show "$p1"; then ok "mode $mode: ... as the kernel did, silently"; else
		not_ok "mode $mode: ... as the kernel did, silently" "no $p1 in the kernel"; fi
	# The last member goes: the kernel deletes the group, then its routes.
	mark; ipn nexthop del id "$m2"
	expect "mode $mode: an emptied group's route is deleted" \
		"route del $p2 $rt nhid $g paths 0 (nexthop deleted)"
}
nexthop_suite 1 1
nexthop_suite 0 2

# ---- neighbours ----
mark; ipn neigh add 192.0.2.10 lladdr 02:00:00:00:aa:10 dev a0 nud permanent
expect "neighbour add" "neigh new 192.0.2.10 dev $A0 lladdr 02:00:00:00:aa:10 state permanent"
mark; ipn neigh replace 192.0.2.10 lladdr 02:00:00:00:aa:11 dev a0 nud reachable
expect "neighbour change" "neigh new 192.0.2.10 dev $A0 lladdr 02:00:00:00:aa:11 state reachable"
mark; ipn neigh del 192.0.2.10 dev a0
expect_re "neighbour delete" "neigh del 192\.0\.2\.10 dev $A0 .*"
mark; ip netns exec "$NS" ping -c1 -W1 192.0.2.77 >/dev/null 2>&1
expect "neighbour without link-layer address (ARP failed)" \
	"neigh new 192.0.2.77 dev $A0 lladdr none state failed" 10

# ---- links: down and up of a link in use ----
ipn route add 10.34.0.0/24 via 198.51.100.15 proto bgp
mark; ipn link set a1 down
expect_re "link down" "link new $A1 a1 down .*"
expect "link in use went down: resync" "resync link state"
expect "resync done" "resync done" 10
mp="route new 10.31.0.0/24 $rt nhid 0 paths 2 nexthop via 192.0.2.10 dev $A0 weight 1 nexthop via 198.51.100.11 dev $A1 weight 3"
if found Fx "$mp dead linkdown"; then
	ok "after the resync: the multipath leg through the link is dead"
else
	not_ok "after the resync: the multipath leg through the link is dead" "10.31.0.0/24 ... dead linkdown"
fi
if found Fx "resync done" && ! found Ex "route new 10\.34\.0\.0/24 .*" &&
	kernel_has_no route show 10.34.0.0/24; then
	ok "after the resync: the route the kernel flushed silently is gone"
else
	not_ok "after the resync: the route the kernel flushed silently is gone" "no 10.34.0.0/24"
fi
mark; ipn link set a1 up
expect_re "link up" "link new $A1 a1 up .*"
expect "link in use came up: resync" "resync link state"
expect "multipath leg alive again" "$mp" 10

# A VRF, where the kernel has them (not the host's: see the VM suite).
if ipn link add vrf-blue type vrf table 1001 2>/dev/null; then
	mark; ipn link set vrf-blue up
	expect_re "VRF link with its table" "link new [0-9]+ vrf-blue up .*kind vrf .* table 1001"
else
	n=$((n + 1)); echo "ok $n - VRF link with its table # SKIP no VRF in this kernel"
fi

# ---- overrun: a stopped driver with a tiny buffer, then a burst ----
OUT2=$dir/out2
: >"$OUT2"
ip netns exec "$NS" "${DRIVER[@]}" --rcvbuf 4096 >"$OUT2" 2>"$dir/err2" &
DRV2_PID=$!
for _ in $(seq 200); do grep -qx ready "$OUT2" && break; sleep 0.05; done
grep -qx ready "$OUT2" || bail "second driver not ready"
kill -STOP "$DRV2_PID"
# The add fits in the buffer, the burst overflows it, the delete is lost:
# replaying what the socket still held after the resync would bring the
# deleted route back.
{
	echo "route add 10.201.0.0/24 via 192.0.2.10 proto bgp"
	for i in $(seq 300); do echo "route add 10.200.$((i / 256)).$((i % 256))/32 via 192.0.2.10 proto bgp"; done
	echo "route del 10.201.0.0/24"
} >"$dir/burst"
ipn -batch "$dir/burst" || bail "ip -batch"
kill -CONT "$DRV2_PID"
for _ in $(seq 200); do grep -qx "resync done" "$OUT2" && break; sleep 0.05; done
# A sentinel: once its line is out, everything queued before it was read.
ipn route add 10.202.0.0/24 via 192.0.2.10 proto bgp
for _ in $(seq 200); do grep -q "^route new 10\.202\.0\.0/24 " "$OUT2" && break; sleep 0.05; done
if grep -qx "resync overrun" "$OUT2" && grep -qx "resync done" "$OUT2"; then
	ok "overrun (ENOBUFS) -> full resync"
else
	not_ok "overrun (ENOBUFS) -> full resync" "resync overrun ... resync done"
fi
got=$(sed -n '/^resync overrun$/,/^resync done$/p' "$OUT2" | grep -c '^route new 10\.200\.')
if [ "$got" -eq 300 ]; then ok "the resync reports all 300 routes of the burst"; else
	not_ok "the resync reports all 300 routes of the burst" "300, got $got"; fi
if grep -q "^route new 10\.202\.0\.0/24 " "$OUT2" &&
	! sed -n '/^resync done$/,$p' "$OUT2" | grep -q '^route new 10\.201\.0\.0/24 '; then
	ok "nothing older than the resync is replayed after it (the lost delete stays lost)"
else
	not_ok "nothing older than the resync is replayed after it (the lost delete stays lost)" \
		"no route new 10.201.0.0/24 after resync done, sentinel seen"
fi
kill -TERM "$DRV2_PID"; wait "$DRV2_PID"; rc=$?; DRV2_PID=
if [ "$rc" -eq 0 ] && grep -Eq '^stats .* overruns [1-9][0-9]* resyncs [1-9]' "$OUT2"; then
	ok "overrun counted in the stats"
else
	not_ok "overrun counted in the stats" "exit 0, stats overruns >= 1 ($(tail -1 "$OUT2"))"
fi

# ---- clean exit of the main driver ----
kill -TERM "$DRV_PID"; wait "$DRV_PID"; rc=$?; DRV_PID=
if [ "$rc" -eq 0 ] && grep -Eq '^stats messages [0-9]+ malformed 0 ' "$OUT"; then
	ok "driver exits cleanly, no malformed message"
else
	not_ok "driver exits cleanly, no malformed message" "exit 0 and malformed 0 (exit $rc, $(tail -1 "$OUT"))"
fi

echo "1..$n"
[ "$failed" -eq 0 ] || { echo "# $failed of $n failed"; exit 1; }
exit 0
