#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Packet rate of podroute's fast path against the kernel's slow paths, all
# variants interleaved in one run and counted the same way at the receiver.
#
# Topology (selftests/net/lib/topo.sh): node in0 (underlay) -> mp0 -> pod
# eth0; node vm0 -> launcher eth0 -> bridge -> tap0 (the VM-like endpoint).
#
# Generator: bench/pktgen live, BPF_PROG_RUN with live frames on in0 as if
# in0's driver had received them, headers rewritten per frame from 16 flow
# templates (UDP from ports 10000-10015 to port 8080, valid IPv4 and UDP
# checksums, TTL / hop limit 64), then handed to
#   podroute's own xdp_underlay (attached to in0)   podroute-xdp, -xdp-tap
#   XDP_PASS: the kernel builds the skb and takes  podroute-tc, kernel,
#     it through TC ingress, IP forwarding, netfilter  kernel-tap, kernel-nft*
#   XDP_DROP                                        generator (its own cost)
# so every variant pays the same generator cost and no socket or veth hop
# sits in front of the path. The generator is pinned to the last CPU; the
# path runs in its context on that CPU (the XDP batch, then the softirqs it
# raises: veth NAPI, the stack), so each figure is what one CPU does with
# generator, path and receiver together; the "generator" variant measures
# the generator's share, and the ratios are also given with it subtracted.
#
# Receiver: the pod's veth end runs an XDP counter (pktgen rx-attach) that
# counts benchmark frames with a valid IPv4 header checksum and TTL / hop
# limit 63 (one routed hop), then drops them. The tap variants are counted
# by a reader holding tap0 (pktgen tap-rx, pinned to CPU 0, the other CPU,
# as a VM's vCPU would be), by the same rules, one read() per frame; tap0's
# own tx_dropped counts what its queue dropped because the reader fell
# behind. Rates are the receiver's: frames over the time from the first to
# the last frame it counted, so the generator's per-call set-up is out.
#
# Variants, 64- and 1500-byte Ethernet frames (no FCS), IPv4 and IPv6:
#   generator          XDP_DROP right after the generator
#   xdp-minimal        pktgen's xdp_fwd_min instead of podroute: new MACs,
#                      TTL - 1, redirect into the pod's veth, nothing else:
#                      the ceiling of any XDP fast path here
#   podroute-xdp       XDP redirect into the pod's veth (attach, mode auto)
#   podroute-xdp-tap   the same into vm0, to the tap reader
#   podroute-tc        podroute attached with --mode tc (TC ingress redirect)
#   kernel             podroute detached: IP forwarding, no netfilter rules
#   kernel-tap         the same to the tap reader
#   kernel-nft         IP forwarding with bench/nft_ovnk.nft (OVN-Kubernetes-
#                      like nftables, conntrack), flows established (the pod
#                      answered each flow once: pktgen ct-prime)
#   kernel-nft-new     the same with fresh one-way flows, which conntrack
#                      holds as new (every packet walks the forward chain)
#   ... (handed to tap0) the tap variants counted in tap0's TC egress
#                      instead: what forwarding delivered to the tap, whether
#                      or not the reader kept up (its queue drops the rest)
#   ... (af_packet sender) podroute-xdp and kernel, IPv4 64 bytes, with the
#                      AF_PACKET sender (pktgen txpkt, client namespace, same
#                      CPU): what a socket sender in front of the path changes
#   ... (TC receiver)  podroute-xdp and kernel, IPv4 64 bytes, to a second pod
#                      whose veth has no XDP program and counts in TC ingress
#                      (frames redirected by XDP then get an skb built there,
#                      as for a real pod; skbs of the kernel path are not
#                      converted to XDP): how much the receiver's own method
#                      moves the ratio
#
#   pktrate.sh [--quick] [--runs N] [--secs S] [--json FILE]
#     default: every variant, 7 rounds, about 0.5 s a run (a few minutes);
#              writes bench/results/pktrate.json
#     --quick: podroute-xdp and kernel, IPv4 64 bytes, 3 rounds of 0.3 s
#              (make demo); writes bench/results/pktrate-quick.json
#     --json FILE: also copy the results there
#   pktrate.sh --report DIR
#     turn DIR/runs.tsv and DIR/meta.json (a run's record, e.g. the VM's
#     from bench/pktrate_vm.sh) into DIR/out.json and print the table
set -u
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
TOPO_ID=bench-rate NS_CLIENT=prc-brt NS_NODE=prn-brt NS_POD=prp-brt NS_VM=prv-brt
PIN_DIR=/sys/fs/bpf/podroute-bench-rate
# ---- results: shared with bench/pktrate_vm.sh (pktrate.sh --report DIR) ----
# runs.tsv, one line per run: round variant family size tag(- if none), then
# pktgen's line (sent good bad other seconds pps offered good2 pps2), the
# NET_RX softirqs per CPU during the run (comma-separated), tap queue drops.
# meta.json: bench, kernel, cpu, cpu_layout, method, rounds,
# seconds_per_run, order (variants, for the table), pairs and net_pairs
# ([baseline, candidate] ratios to form, the latter also net of the
# generator's own cost).
report() { # DIR -> DIR/out.json
	jq -R -s --slurpfile meta "$1/meta.json" --arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" -f /dev/stdin "$1/runs.tsv" >"$1/out.json" <<'JQ'
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def mklabel: "\(.family | ascii_upcase | sub("IPV"; "IPv")) \(.size)B";
def vname: if .tag == "-" then .variant else "\(.variant) (\(.tag))" end;
$meta[0] as $m
| [split("\n")[] | select(length > 0) | split("\t") | {
	round: (.[0] | tonumber), variant: .[1], family: .[2], size: (.[3] | tonumber), tag: .[4],
	sent: (.[5] | tonumber), good: (.[6] | tonumber), bad: (.[7] | tonumber), other: (.[8] | tonumber),
	secs: (.[9] | tonumber), pps: (if .[1] == "generator" then .[11] else .[10] end | tonumber),
	net_rx: (.[14] | split(",") | map(tonumber)), tap_dropped: (.[15] | tonumber)
} | .label = mklabel | .name = vname] as $runs
| ($runs | group_by([.family, .size, .name]) | map({
	label: .[0].label, variant: .[0].name, unit: "pps",
	median: (map(.pps) | median), min: (map(.pps) | min), max: (map(.pps) | max),
	samples: (sort_by(.round) | map(.pps)),
	sent: (map(.sent) | add), received: (map(.good) | add), bad: (map(.bad) | add),
	tap_dropped: (map(.tap_dropped) | add),
	net_rx_softirqs_per_cpu: (map(.net_rx) | transpose | map(add))
})) as $rows
| def ratio($lab; $base; $cand; $net):
	[$runs[] | select(.label == $lab)] as $r
	| ([$r[] | select(.name == "generator")] | map({key: "\(.round)", value: .pps}) | from_entries) as $g
	| [range(0; $runs | map(.round) | max + 1) as $i
		| ([$r[] | select(.round == $i and .name == $base)][0]) as $b
		| ([$r[] | select(.round == $i and .name == $cand)][0]) as $c
		| select($b != null and $c != null and $b.pps > 0 and $c.pps > 0)
		| if $net then ($g["\($i)"] // null) as $gp | select($gp != null and $gp > $b.pps and $gp > $c.pps)
			| (1e9 / $b.pps - 1e9 / $gp) / (1e9 / $c.pps - 1e9 / $gp)
		  else $c.pps / $b.pps end] as $s
	| select($s | length > 0)
	| {label: (if $net then "\($lab), generator cost subtracted" else $lab end), baseline: $base,
	   candidate: $cand, median_ratio: ($s | median), min: ($s | min), max: ($s | max), samples: $s};
($rows | reduce .[].label as $l ([]; if index([$l]) then . else . + [$l] end)) as $labels
| {
	bench: $m.bench,
	meta: {commit: $commit, kernel: $m.kernel, cpu: $m.cpu, date: $date, method: $m.method,
		cpu_layout: $m.cpu_layout, rounds: $m.rounds, seconds_per_run: $m.seconds_per_run,
		variant_order: $m.order},
	rows: $rows,
	ratios: ([$labels[] as $l | $m.pairs[] | ratio($l; .[0]; .[1]; false)]
		+ [$labels[] as $l | ($m.net_pairs // [])[] | ratio($l; .[0]; .[1]; true)])
}
JQ
}

# table JSON: the human view of report's output.
table() {
	jq -r '
def m: if . == null then "-" else (. / 1e6 * 1000 | round / 1000 | tostring) end;
def pad($n): . + " " * ([$n - length, 1] | max);
def r2: (. * 100 | round) as $x | "\($x / 100 | floor).\($x % 100 | tostring | if length < 2 then "0" + . else . end)";
. as $root | ($root.rows | reduce .[].label as $l ([]; if index([$l]) then . else . + [$l] end)) as $labels
| ($root.rows | map(.variant) | unique) as $present
| (($root.meta.variant_order // []) as $o | [$o[] | select(. as $v | $present | index([$v]))] + ($present - $o))
	as $variants
| "packet rate, Mpps: median [min-max] of \(.meta.rounds) interleaved rounds, \(.meta.seconds_per_run)s each (\(.meta.kernel))",
  "  \(.meta.cpu_layout)",
  "",
  "  " + ("variant" | pad(34)) + ($labels | map(pad(24)) | join("")),
  ($variants[] as $v
	| "  " + ($v | pad(34)) + ([$labels[] as $l
		| ([$root.rows[] | select(.label == $l and .variant == $v)][0]) as $r
		| if $r == null then "-" else "\($r.median | m) [\($r.min | m)-\($r.max | m)]" end | pad(24)] | join(""))),
  "",
  "ratios (candidate / baseline, packets/s), median [min-max] of per-round ratios:",
  ($root.ratios[] | "  \(.label): \(.candidate) / \(.baseline) = \(.median_ratio | r2)x [\(.min | r2)-\(.max | r2)]"),
  "",
  "receiver: good frames / sent, bad frames, tap queue drops, NET_RX softirqs per CPU:",
  ($root.rows[] | "  \(.label) \(.variant): \(.received)/\(.sent)\(if .bad > 0 then ", \(.bad) bad" else "" end)\(if .tap_dropped > 0 then ", tap dropped \(.tap_dropped)" else "" end), NET_RX \(.net_rx_softirqs_per_cpu | map(tostring) | join("/"))")
' "$1"
}

if [ "${1:-}" = --report ]; then
	[ $# -eq 2 ] && [ -f "$2/runs.tsv" ] && [ -f "$2/meta.json" ] || { echo "usage: pktrate.sh --report DIR (runs.tsv, meta.json)"; exit 2; }
	report "$2" && table "$2/out.json"
	exit
fi

QUICK=0 RUNS=7 SECS=0.5 JSON=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 RUNS=3 SECS=0.3 ;;
	--runs) RUNS=$2; shift ;;
	--secs) SECS=$2; shift ;;
	--json) JSON=$2; shift ;;
	*) echo "usage: pktrate.sh [--quick] [--runs N] [--secs S] [--json FILE]"; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || { echo "pktrate.sh needs root (namespaces, BPF)"; exit 1; }
G=$PWD/build/bench/pktgen
export PKTGEN_OBJ=$PWD/build/bench/pktgen.bpf.o
for f in "$G" "$PKTGEN_OBJ" "$PODROUTE"; do
	[ -e "$f" ] || { echo "pktrate.sh: $f missing: build first (make bench)"; exit 1; }
done
# Exit 4 (not measured) where the kernel has no live-frame generator.
why=$("$G" probe-live) || { rc=$?; echo "pktrate.sh: not measured: $why"; [ $rc -eq 3 ] && exit 4; exit 1; }
if [ $QUICK = 1 ]; then
	OUT=bench/results/pktrate-quick.json
	FAMILIES=ipv4 SIZES=64 CONFIGS="xdp none"
else
	OUT=bench/results/pktrate.json
	FAMILIES="ipv4 ipv6" SIZES="64 1500" CONFIGS="xdp tc none nft"
fi
NCPU=$(nproc)
GEN_CPU=$((NCPU - 1)) TAP_CPU=0
work=$(mktemp -d /tmp/pktrate.XXXXXX)
NS_POD2=prq-brt
RXPIN=/sys/fs/bpf/podroute-bench-rx-$$ RXPIN_TC=/sys/fs/bpf/podroute-bench-rxtc-$$
TAPEG=/sys/fs/bpf/podroute-bench-tapeg-$$ TAPSTATS=$work/tap.stats DATA=$work/runs.tsv
cleanup() {
	rm -f "$RXPIN" "$RXPIN_TC" "$TAPEG"
	ip netns del "$NS_POD2" 2>/dev/null
	topo_cleanup
	rm -rf "$work"
}
fail() { echo "pktrate.sh: $*" >&2; exit 1; }

# ---- topology ----
topo_cleanup
ip netns del "$NS_POD2" 2>/dev/null
topo_create || fail "cannot build the topology"
trap cleanup EXIT
nsn() { nsenter --net=/run/netns/"$1" "${@:2}"; }
in0_mac=$(ip -n "$NS_NODE" -br link show in0 | awk '{print $3}')
client_mac=$(ip -n "$NS_CLIENT" -br link show eth0 | awk '{print $3}')
ip -n "$NS_CLIENT" addr add 2001:db8:2::2/64 dev eth0 nodad
ip -n "$NS_NODE" addr add 2001:db8:2::1/64 dev in0 nodad
ip -n "$NS_NODE" addr add fd00:10:128:1::1/64 dev mp0 nodad
ip -n "$NS_POD" addr add fd00:10:128:1::5/64 dev eth0 nodad
ip -n "$NS_POD" route add default via fd00:10:128:1::1
ip -n "$NS_CLIENT" route add 10.128.0.0/14 via 192.0.2.1
ip -n "$NS_CLIENT" route add fd00:10:128::/48 via 2001:db8:2::1
in_ns "$NS_NODE" sysctl -qw net.ipv6.conf.all.forwarding=1
# Neighbours pinned: no ARP / ND in the measured path (the receivers drop
# only benchmark frames, but a probe in the middle of a run would stall it).
ip -n "$NS_NODE" neigh replace 10.128.1.5 lladdr "$POD_MAC" dev mp0 nud permanent
ip -n "$NS_NODE" neigh replace fd00:10:128:1::5 lladdr "$POD_MAC" dev mp0 nud permanent
nsn "$NS_POD" "$G" rx-attach eth0 "$RXPIN" --ttl 63 || fail "cannot attach the receiver's counter"
if [ $QUICK = 0 ]; then
	topo_add_vm || fail "cannot start the VM-like endpoint"
	# The tap reader takes tap0 over from tapvm (which answers ARP and
	# ping but cannot count at rate).
	kill "$VM_PID" && wait "$VM_PID" 2>/dev/null
	rm -f "$VM_LOG"
	ip -n "$NS_NODE" addr add fd00:10:128:2::1/64 dev vm0 nodad
	ip -n "$NS_NODE" neigh replace "$VM_IP" lladdr "$VM_MAC" dev vm0 nud permanent
	ip -n "$NS_NODE" neigh replace fd00:10:128:2::6 lladdr "$VM_MAC" dev vm0 nud permanent
	# nsenter itself in the background (not the nsn function, whose $!
	# would be a subshell's): the clean-up must stop the reader itself.
	nsenter --net=/run/netns/"$NS_VM" taskset -c "$TAP_CPU" "$G" tap-rx tap0 "$TAPSTATS" --mac "$VM_MAC" \
		--ip "$VM_IP" --ttl 63 >"$work/tap.log" 2>&1 &
	VM_PID=$!
	wait_for "grep -q ready '$work/tap.log'" 10 || fail "tap reader did not start: $(cat "$work/tap.log")"
	# What the path hands to tap0 (TC egress), before the tap's queue.
	nsn "$NS_VM" "$G" rx-attach tap0 "$TAPEG" --ttl 63 --egress || fail "cannot attach tap0's egress counter"
	# A second pod whose veth has no XDP program: counted in TC ingress.
	ip netns add "$NS_POD2" || fail "cannot create $NS_POD2"
	ip -n "$NS_NODE" link add mp1 type veth peer name eth0 netns "$NS_POD2"
	ip -n "$NS_POD2" link set lo up
	ip -n "$NS_NODE" addr add 10.128.3.1/24 dev mp1
	ip -n "$NS_POD2" addr add 10.128.3.5/24 dev eth0
	ip -n "$NS_NODE" link set mp1 up
	ip -n "$NS_POD2" link set eth0 up
	# NAPI (GRO) on the far end, or a veth drops XDP-redirected frames.
	in_ns "$NS_POD2" ethtool -K eth0 gro on >/dev/null
	POD2_MAC=$(ip -n "$NS_POD2" -br link show eth0 | awk '{print $3}')
	ip -n "$NS_NODE" neigh replace 10.128.3.5 lladdr "$POD2_MAC" dev mp1 nud permanent
	nsn "$NS_POD2" "$G" rx-attach eth0 "$RXPIN_TC" --ttl 63 --tc || fail "cannot attach the TC receiver"
fi
# podroute's networks, kept in the pins across detach / attach.
topo_attach >/dev/null 2>&1 || fail "podroute attach failed"
node_podroute prefix add fd00:10:128:1::/64 net 1 >/dev/null || fail "prefix add (IPv6)"
if [ $QUICK = 0 ]; then
	node_podroute net set 2 port vm0 mac "$VM_MAC" antispoof >/dev/null &&
		node_podroute prefix add 10.128.2.0/24 net 2 >/dev/null &&
		node_podroute prefix add fd00:10:128:2::/64 net 2 >/dev/null &&
		node_podroute net set 3 port mp1 mac "$POD2_MAC" antispoof >/dev/null &&
		node_podroute prefix add 10.128.3.0/24 net 3 >/dev/null || fail "podroute networks 2 (VM) and 3"
fi
node_podroute detach >/dev/null 2>&1

# ---- one run ----
src_of() { [ "$1" = ipv6 ] && echo 2001:db8:2::2 || echo 192.0.2.2; }
pod_of() { [ "$1" = ipv6 ] && echo fd00:10:128:1::5 || echo 10.128.1.5; }
vm_of() { [ "$1" = ipv6 ] && echo fd00:10:128:2::6 || echo "$VM_IP"; }
net_rx() { awk '$1 == "NET_RX:" { for (i = 2; i <= NF; i++) printf "%s ", $i }' /proc/softirqs; }
tap_drops() { ip -n "$NS_VM" -s -j link show tap0 2>/dev/null | jq '.[0].stats64.tx.dropped // 0' 2>/dev/null || echo 0; }
round=0 sport_fresh=20000
record() { # variant family size tag "pktgen's line" net_rx tap_drops
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$1" "$2" "$3" "$4" "$(tr ' ' '\t' <<<"$5")" "$6" "$7" >>"$DATA"
}
# run VARIANT FAMILY SIZE GEN(live:TO | afpacket) DST RX [pktgen options]; $TAG names a
# variant of the method (sender, receiver), if any.
run() {
	local variant=$1 fam=$2 size=$3 gen=$4 dst=$5 rx=$6 out s0 s1 d t0=0 t1=0 sent g2 p2
	shift 6
	local args=(--dmac "$in0_mac" --smac "$client_mac" --src "$(src_of "$fam")" --dst "$dst" --size "$size"
		--secs "$SECS" --rx "$rx" "$@")
	if [ "$rx" = "$TAPSTATS" ]; then
		t0=$(tap_drops)
		args+=(--rx2 "$TAPEG")
	fi
	s0=$(net_rx)
	case $gen in
	live:*) out=$(nsn "$NS_NODE" taskset -c "$GEN_CPU" "$G" live in0 --to "${gen#live:}" "${args[@]}") ;;
	afpacket) out=$(nsn "$NS_CLIENT" taskset -c "$GEN_CPU" "$G" txpkt eth0 "${args[@]}") ;;
	esac || fail "$variant $fam $size: generator failed"
	s1=$(net_rx)
	d=$(paste -d- <(tr ' ' '\n' <<<"$s1" | grep .) <(tr ' ' '\n' <<<"$s0" | grep .) | bc | paste -sd,)
	[ "$rx" = "$TAPSTATS" ] && t1=$(tap_drops)
	record "$variant" "$fam" "$size" "${TAG:--}" "$out" "$d" $((t1 - t0))
	if [ "$rx" = "$TAPSTATS" ]; then
		# What forwarding handed to tap0 (its rate: first to last frame
		# there), whether or not the reader kept up.
		read -r sent _ _ _ _ _ _ g2 p2 <<<"$out"
		record "$variant" "$fam" "$size" "handed to tap0" "$sent $g2 0 0 0 $p2 0 0 0" "$d" 0
	fi
}

# One configuration of the node, then every run that needs it.
configure() {
	node_podroute detach >/dev/null 2>&1
	in_ns "$NS_NODE" nft delete table inet ovn-kubernetes 2>/dev/null
	case $1 in
	xdp) node_podroute attach --underlay in0 --force-xdp >/dev/null 2>&1 ;;
	tc) node_podroute attach --underlay in0 --mode tc >/dev/null 2>&1 ;;
	nft) in_ns "$NS_NODE" nft -D MGMT_IF=mp0 -D UPLINK=in0 -f bench/nft_ovnk.nft ;;
	none) true ;;
	esac || fail "cannot configure the node for $1"
}
runs_of() {
	local cfg=$1 fam size
	for fam in $FAMILIES; do
		for size in $SIZES; do
			case $cfg in
			xdp)
				run podroute-xdp "$fam" "$size" live:attached "$(pod_of "$fam")" "$RXPIN"
				[ $QUICK = 0 ] && run podroute-xdp-tap "$fam" "$size" live:attached "$(vm_of "$fam")" "$TAPSTATS"
				;;
			tc) run podroute-tc "$fam" "$size" live:pass "$(pod_of "$fam")" "$RXPIN" ;;
			none)
				run kernel "$fam" "$size" live:pass "$(pod_of "$fam")" "$RXPIN"
				if [ $QUICK = 0 ]; then
					run generator "$fam" "$size" live:drop "$(pod_of "$fam")" "$RXPIN"
					run xdp-minimal "$fam" "$size" "live:fwd:mp0/$POD_MAC" "$(pod_of "$fam")" "$RXPIN"
					run kernel-tap "$fam" "$size" live:pass "$(vm_of "$fam")" "$TAPSTATS"
				fi
				;;
			nft)
				# Fresh source ports: one-way flows conntrack has never seen.
				run kernel-nft-new "$fam" "$size" live:pass "$(pod_of "$fam")" "$RXPIN" --sport $sport_fresh
				sport_fresh=$((sport_fresh + 16))
				# Established: a few frames of each flow, the pod's answer, then the run.
				nsn "$NS_NODE" "$G" live in0 --to pass --dmac "$in0_mac" --src "$(src_of "$fam")" \
					--dst "$(pod_of "$fam")" --rx "$RXPIN" --secs 0.001 >/dev/null &&
					nsn "$NS_POD" "$G" ct-prime --src "$(pod_of "$fam")" --dst "$(src_of "$fam")" ||
					fail "conntrack priming ($fam) failed"
				run kernel-nft "$fam" "$size" live:pass "$(pod_of "$fam")" "$RXPIN"
				;;
			esac
		done
	done
	# A socket sender in front of the path, for comparison (IPv4, 64 bytes).
	# and a receiver without XDP (TC ingress on the second pod).
	if [ $QUICK = 0 ] && { [ "$cfg" = xdp ] || [ "$cfg" = none ]; }; then
		local v=podroute-xdp
		[ "$cfg" = none ] && v=kernel
		TAG="af_packet sender" run "$v" ipv4 64 afpacket 10.128.1.5 "$RXPIN"
		TAG="TC receiver" run "$v" ipv4 64 "live:$([ "$cfg" = xdp ] && echo attached || echo pass)" \
			10.128.3.5 "$RXPIN_TC"
	fi
}

: >"$DATA"
cfgs=($CONFIGS)
[ $QUICK = 0 ] && echo "pktrate: ${#cfgs[@]} node configurations x $RUNS rounds, ${SECS}s a run (a few minutes)"
for ((round = 0; round < RUNS; round++)); do
	# Rotate the order each round, so that no variant always runs first.
	for ((i = 0; i < ${#cfgs[@]}; i++)); do
		c=${cfgs[$(((i + round) % ${#cfgs[@]}))]}
		configure "$c"
		runs_of "$c"
	done
done
configure none

# ---- results ----
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
jq -n --arg bench "pktrate$([ $QUICK = 1 ] && echo -quick)" --arg kernel "$(uname -r)" --arg cpu "$cpu" \
	--argjson rounds "$RUNS" --argjson secs "$SECS" \
	--arg layout "$NCPU CPUs ($cpu$(grep -q hypervisor /proc/cpuinfo && echo ', virtual machine')); generator pinned to CPU $GEN_CPU (taskset), path and receiver run in its context on that CPU (XDP batch, then the softirqs it raises); tap reader pinned to CPU $TAP_CPU" \
	--arg method "Generator: BPF_PROG_RUN live frames (bench/pktgen live) on the node's underlay veth, one call per run, per-frame headers from 16 flow templates, handed to podroute's attached XDP program, to a minimal XDP forwarder (new MACs, TTL - 1, redirect: xdp-minimal), to XDP_PASS (kernel path) or to XDP_DROP (generator alone); AF_PACKET sender (pktgen txpkt) for comparison where marked. Receiver: XDP program on the pod's veth counting UDP/8080 frames with a valid IPv4 header checksum and TTL/hop limit 63, then dropping them; where marked, a TC ingress counter on a veth without XDP; tap variants: a reader holding the tap (one read() per frame, the same rules) and, marked, a count-only TC egress counter on the tap. Rate = frames counted / time from the first to the last counted frame. Variants interleaved: each round runs every node configuration in rotated order. Ratios are per round (paired), then the median; 'generator cost subtracted' compares (1/rate - 1/generator rate). Frame sizes are Ethernet frames without FCS." \
	'{bench: $bench, kernel: $kernel, cpu: $cpu, cpu_layout: $layout, method: $method, rounds: $rounds,
	  seconds_per_run: $secs,
	  order: ["generator", "xdp-minimal", "podroute-xdp", "podroute-tc", "kernel", "kernel-nft", "kernel-nft-new",
		"podroute-xdp-tap", "kernel-tap", "podroute-xdp-tap (handed to tap0)", "kernel-tap (handed to tap0)",
		"podroute-xdp (af_packet sender)", "kernel (af_packet sender)", "podroute-xdp (TC receiver)",
		"kernel (TC receiver)"],
	  pairs: [["kernel", "podroute-xdp"], ["kernel-nft", "podroute-xdp"], ["kernel-nft-new", "podroute-xdp"],
		["kernel", "podroute-tc"], ["podroute-tc", "podroute-xdp"], ["kernel-tap", "podroute-xdp-tap"],
		["kernel-tap (handed to tap0)", "podroute-xdp-tap (handed to tap0)"],
		["kernel (af_packet sender)", "podroute-xdp (af_packet sender)"],
		["kernel (TC receiver)", "podroute-xdp (TC receiver)"], ["kernel", "xdp-minimal"],
		["xdp-minimal", "podroute-xdp"]],
	  net_pairs: [["kernel", "podroute-xdp"], ["kernel-nft", "podroute-xdp"], ["kernel-nft-new", "podroute-xdp"],
		["kernel", "podroute-tc"], ["podroute-tc", "podroute-xdp"], ["kernel", "xdp-minimal"],
		["xdp-minimal", "podroute-xdp"]]}' >"$work/meta.json"
report "$work" || fail "cannot build the results"
mkdir -p bench/results
cp "$work/out.json" "$OUT"
[ -n "$JSON" ] && cp "$work/out.json" "$JSON"

# ---- human output ----
if [ $QUICK = 1 ]; then
	jq -r '[.rows[] | select(.variant == "podroute-xdp")][0] as $f | [.rows[] | select(.variant == "kernel")][0] as $s
		| [.ratios[] | select(.candidate == "podroute-xdp" and .baseline == "kernel")][0] as $r
		| "   64-byte frames: fast path \($f.median | floor) pps  slow path \($s.median | floor) pps  ratio \((($r.median_ratio * 100 | round) as $x | "\($x / 100 | floor).\($x % 100 | tostring | if length < 2 then "0" + . else . end)"))x  (medians of \($f.samples | length); runs fast: \($f.samples | map(floor) | join(" ")); slow: \($s.samples | map(floor) | join(" ")); received \($f.received)/\($f.sent) and \($s.received)/\($s.sent))"' "$OUT"
	exit 0
fi
table "$OUT"
echo "results: $OUT"
