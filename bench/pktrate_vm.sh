#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Packet rate of podroute's XDP fast path against Open vSwitch's kernel
# datapath (laid out as OVN-Kubernetes does, 1 and 1,000 OpenFlow flows) and
# against the kernel's IP forwarding, measured in a QEMU VM because the
# host kernel has no Open vSwitch datapath and no pktgen (see
# /work/shared/notes/qemu-vm.md, selftests/vm/README.md).
#
# This half runs on the host: it boots the VM with selftests/vm/run.sh
# (2 vCPUs, software emulation), runs bench/pktrate_vm_guest.sh there (the
# topology, generators, receiver and CPU layout are described at its top),
# and turns the raw samples into bench/results/pktrate_vm.json, .md and a
# gnuplot chart .png (--quick: pktrate_vm-quick.*). It creates no network
# namespace on the host: all traffic stays inside the VM.
#
#   pktrate_vm.sh [--quick] [--runs N] [--secs S] [--out DIR]
#     default: 7 interleaved rounds of every variant, IPv4 64- and 1500-byte
#              frames with the live-frames generator and 64-byte frames with
#              the kernel's pktgen, a 2.5 s window per run: about 20 minutes
#              (at most 30: the VM starts no round that would end past
#              the budget once 5 are done, and is stopped at 29.5 minutes)
#     --quick: 2 rounds, 64-byte frames only, 1.5 s windows (about 2 min)
#     --runs N, --secs S: rounds and window length
#     --out DIR: also copy the result files into DIR (bench/run-all.sh)
#   pktrate_vm.sh [--quick] --report DIR
#     only redo the result files from a VM run's raw records, DIR/runs.tsv
#     and DIR/meta.json (kept in /var/tmp when the report fails)
#   pktrate_vm.sh --help
#
# Builds nothing but what it needs (make all build/bench/pktgen
# build/bench/pktgen.bpf.o, a no-op when up to date). Needs root, qemu-system-x86,
# openvswitch-switch, xdp-tools, jq and gnuplot.
set -u
cd "$(dirname "$0")/.." || exit 1
BUDGET=1800 # seconds, the whole script
# The variants in the order tables and charts show them, and the ratios
# reported (candidate / baseline, per round): podroute against each slow
# path it replaces, and podroute-ovn / podroute-xdp, what the fast path
# still pays inside OVN's integration bridge.
VARIANTS='["ovs-1flow", "ovs-1000flows", "kernel", "ovn-shared", "ovn-local", "podroute-ovn", "podroute-xdp"]'
PAIRS='[["ovs-1flow", "podroute-xdp"], ["ovs-1000flows", "podroute-xdp"], ["kernel", "podroute-xdp"],
	["ovn-shared", "podroute-ovn"], ["ovn-local", "podroute-ovn"], ["podroute-xdp", "podroute-ovn"],
	["ovn-shared", "ovn-local"], ["ovs-1flow", "kernel"], ["ovs-1flow", "ovs-1000flows"]]'

usage() {
	sed -n '/^#   pktrate_vm.sh \[/,/^#   pktrate_vm.sh --help/s/^# \{0,1\}//p' "$0"
	exit "${1:-0}"
}
QUICK=0 RUNS='' SECS='' COPY_TO='' FROM=''
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--runs) [ $# -ge 2 ] || usage 2; RUNS=$2; shift ;;
	--secs) [ $# -ge 2 ] || usage 2; SECS=$2; shift ;;
	--out) [ $# -ge 2 ] || usage 2; COPY_TO=$2; shift ;;
	--report) [ $# -ge 2 ] || usage 2; FROM=$2; shift ;;
	-h | --help) usage 0 ;;
	*) usage 2 ;;
	esac
	shift
done
fail() { echo "pktrate_vm.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (the VM runner shares the root file system)"
for t in jq gnuplot qemu-system-x86_64 ovs-vswitchd xdp-bench; do
	command -v $t >/dev/null || fail "$t is not installed (make deps; xdp-tools, openvswitch-switch, qemu-system-x86)"
done
SECONDS=0
name=pktrate_vm
[ $QUICK = 1 ] && name=pktrate_vm-quick
res=bench/results
mkdir -p "$res"
work=$(mktemp -d /var/tmp/pktrate_vm.XXXXXX) || fail "cannot create a work folder"
# The raw records stay when the report cannot be made from them.
trap 'rm -rf "$work"' EXIT
report_failed() {
	trap - EXIT
	rm -rf "$work/plot"
	fail "$* (raw records kept in $work: pktrate_vm.sh --report $work)"
}

if [ -n "$FROM" ]; then
	cp "$FROM/runs.tsv" "$FROM/meta.json" "$work/" || fail "no runs.tsv and meta.json in $FROM"
	cp "$FROM/stalls.tsv" "$work/" 2>/dev/null
	cp "$FROM"/dpflows-*.txt "$work/" 2>/dev/null
else
	make -s all build/bench/pktgen build/bench/pktgen.bpf.o || fail "build failed"
	# ---- the VM ----
	guest=()
	[ $QUICK = 1 ] && guest+=(--quick)
	[ -n "$RUNS" ] && guest+=(--runs "$RUNS")
	[ -n "$SECS" ] && guest+=(--secs "$SECS")
	# The time budget: the VM stops starting rounds (once 5 are done) when
	# one would end past it, leaving a minute for boot, shutdown and the
	# report; run.sh kills the VM 30 s before the budget ends in any case.
	left=$((BUDGET - SECONDS))
	guest+=(--deadline $((left - 60)))
	echo "pktrate_vm: booting the VM (QEMU, software emulation, 2 vCPUs); $([ $QUICK = 1 ] && echo "about 2 minutes" || echo "about 20 minutes, at most $((BUDGET / 60))")"
	selftests/vm/run.sh --smp 2 --mem 2048 --timeout $((left - 30)) --out "$work" -- \
		bench/pktrate_vm_guest.sh "${guest[@]}"
	rc=$?
	[ $rc -eq 0 ] || fail "the VM run failed (exit $rc; selftests/vm/run.sh: 124 timeout, 125 VM trouble)"
	if [ ! -s "$work/runs.tsv" ] || [ ! -s "$work/meta.json" ]; then
		fail "the VM left no results in $work"
	fi
fi

# ---- results: bench/results/NAME.json ----
: >>"$work/stalls.tsv" # none recorded: no stall
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
# OVS's kernel datapath flows after each OVS configuration's last runs.
dpflows='{}'
for f in "$work"/dpflows-*.txt; do
	[ -e "$f" ] || continue
	c=${f##*/dpflows-}
	dpflows=$(jq --arg c "${c%.txt}" --rawfile t "$f" '. + {($c): ($t | split("\n") | map(select(length > 0)))}' <<<"$dpflows")
done
method="Topology (in the VM): a client namespace's veth enters the node on ul0, a port of OVS bridge br-ex; br-ex's OVN-Kubernetes-like flow (priority 300, in_port=ul0, ip, nw_dst=10.128.1.0/24: mod_dl_dst, output to a patch port) hands it to br-int, which outputs it by destination MAC to the pod's veth port; 1,000 flows adds 999 priority-301 flows for other prefixes (900 /32, 99 /24). podroute-xdp: podroute's agent with a config naming the pod network 10.128.1.0/24 (target: the pod's port, its MAC), XDP on ul0 redirecting straight to the pod's veth. kernel: a separate veth pair into the node and IP forwarding to a second pod, no netfilter. Generators, pinned to vCPU 1: live = bench/pktgen live (BPF_PROG_RUN live frames, 16 UDP flows, valid checksums) on the client's eth0, each frame XDP_TX'd into ul0's ring by xdp-bench tx (as a NIC fills its RX ring); kpktgen = the kernel's pktgen thread on the client's eth0 (skbs into the same ring). Forwarding on vCPU 0: ul0 behaves as a NIC queue (GRO on, so veth runs NAPI; threaded NAPI pinned to vCPU 0): podroute's XDP, OVS, IP forwarding and the pod veth's NAPI all run there. Receiver: bench/pktgen's XDP counter on the pod's eth0 in every variant (valid IPv4 header checksum, any TTL: OVS does not decrement it), dropping the frames. Each run: the generator runs 1.5 s, then a window of the given length: received = frames the receiver counted in the window over the receiver's own clock; per core = the same frames over the CPU time the forwarding threads used in the window (schedstat of the NAPI threads and ksoftirqd on vCPU 0), i.e. packets/s of one fully busy forwarding core. Variants interleaved: every round runs every node configuration, in an order rotated each round; ratios are per round (paired), then median [min-max]."
emulation="Absolute rates are not hardware figures: the VM runs under QEMU's software emulation (TCG, no KVM on these machines), which executes guest code tens of times slower than a real CPU, unevenly (memory-heavy work such as copying 1500-byte frames suffers less than branchy code), and the host's 2 cores are shared by both vCPU threads, QEMU's own threads and whatever else runs on the host. Compare variants within this table, by the per-round ratios: they are the point. 'per core' is the measure that does not depend on the generator keeping the forwarding vCPU busy (podroute outruns the live generator here, leaving vCPU 0 partly idle, while OVS and the kernel saturate it): see the busy column."
notes="The live generator is the NIC-like one: its frames reach ul0 as XDP frames in the ring, as from a NIC's RX ring, and podroute's XDP runs on them directly. The kernel's pktgen hands ul0 skbs instead, and veth must copy an skb into a page of its own before it can run XDP on it when the skb has less than 256 bytes of headroom, as pktgen's have: podroute pays that copy (and the skb's allocation on the other vCPU and its free) with kpktgen, which no NIC driver would make it pay; OVS and the kernel pay it at the receiver's XDP counter instead, so the kpktgen ratios are the conservative ones.
OVS's kernel datapath caches one megaflow for this stream, matching nw_dst 10.128.1.0/24 with 1 flow and with 1,000 (ovs_datapath_flows), so the 999 other OpenFlow flows cost the datapath nothing per packet; they would on upcalls (a new flow's first packet), which a steady stream does not make. ovs-1000flows / ovs-1flow is therefore noise around 1.
When the forwarding vCPU is not saturated (podroute with the live generator, which cannot keep up with it), NAPI polls smaller batches and wakes up more often, so 'per core' underestimates what a saturated core would do; received is then the generator's limit, not podroute's."
jq -R -s --slurpfile meta "$work/meta.json" \
	--arg bench "$name" --arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host_kernel "$(uname -r)" --arg host_cpu "$host_cpu" \
	--argjson variants "$VARIANTS" --argjson pairs "$PAIRS" --rawfile stalls "$work/stalls.tsv" \
	--argjson host_ncpu "$(nproc)" --arg method "$method" --arg emulation "$emulation" \
	--arg notes "$notes" --argjson dpflows "$dpflows" \
	-f /dev/stdin "$work/runs.tsv" >"$res/$name.json" <<'JQ' || report_failed "cannot build $res/$name.json"
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stat: {median: median, min: min, max: max, samples: .};
def gorder: {"live": 0, "kpktgen": 1}[.] // 9;
def vorder: . as $v | $variants | index($v) // 99;
def glabel: "\(.generator) \(.size) B";
$meta[0] as $m
| [split("\n")[] | select(length > 0) | split("\t")
   | {round: (.[0] | tonumber), variant: .[1], generator: .[2], size: (.[3] | tonumber),
      t_a: (.[4] | tonumber), t_b: (.[5] | tonumber), idle_ticks_a: (.[6] | tonumber),
      idle_ticks_b: (.[7] | tonumber), fwd_ns_a: (.[8] | tonumber), fwd_ns_b: (.[9] | tonumber),
      good_a: (.[10] | tonumber), pps_a: (.[11] | tonumber), good_b: (.[12] | tonumber),
      pps_b: (.[13] | tonumber), bad: (.[14] | tonumber), other: (.[15] | tonumber),
      ring_drops: (.[16] | tonumber)}
   | .window_s = .t_b - .t_a
   | .frames = .good_b - .good_a
   | .rx_window_s = .good_b / .pps_b - .good_a / .pps_a
   | .received_pps = .frames / .rx_window_s
   | .fwd_busy_s = (.fwd_ns_b - .fwd_ns_a) / 1e9
   | .fwd_busy = .fwd_busy_s / .window_s
   | .per_core_pps = .frames / .fwd_busy_s
   | .fwd_cpu_not_idle = 1 - (.idle_ticks_b - .idle_ticks_a) / $m.user_hz / .window_s
   | .offered_pps = (.frames + .ring_drops) / .window_s] as $runs
| ($runs | group_by([(.generator | gorder), .size, (.variant | vorder)]) | map({
	generator: .[0].generator, size: .[0].size, variant: .[0].variant, label: (.[0] | glabel),
	per_core_pps: (sort_by(.round) | map(.per_core_pps) | stat),
	received_pps: (sort_by(.round) | map(.received_pps) | stat),
	fwd_busy: (sort_by(.round) | map(.fwd_busy) | stat),
	fwd_cpu_not_idle: (map(.fwd_cpu_not_idle) | median),
	offered_pps: (map(.offered_pps) | median),
	frames: (map(.frames) | add), ring_drops: (map(.ring_drops) | add), bad: (map(.bad) | add)})) as $rows
| [$rows[] | {generator: .generator, size: .size, label: .label}] | unique_by([(.generator | gorder), .size]) as $groups
| {
	bench: $bench, commit: $commit, date: $date,
	vm_kernel: $m.vm_kernel, vm_cpu: $m.vm_cpu, vm_vcpus: $m.vm_vcpus,
	host_kernel: $host_kernel, host_cpu: $host_cpu, host_ncpu: $host_ncpu,
	openvswitch: $m.openvswitch, podroute: $m.podroute,
	rounds: $m.rounds, seconds_per_run: $m.seconds_per_run, warmup_seconds: $m.warmup_seconds,
	cpu_layout: "vCPU 0 forwards (threaded NAPI of the underlay ports pinned there), vCPU 1 generates (and runs everything else the bench starts)",
	variants: $variants, pairs: $pairs,
	stalls: [$stalls | split("\n")[] | select(length > 0) | split("\t")
		| {round: (.[0] | tonumber), variant: .[1], generator: .[2], size: (.[3] | tonumber), frames_before: (.[4] | tonumber)}],
	method: $method, emulation: $emulation, notes: ($notes | split("\n")), no_traffic: $m.no_traffic,
	ovs_datapath_flows: $dpflows,
	rows: $rows,
	ratios: [$groups[] as $g | (["per_core_pps", "received_pps"][]) as $metric
		| $pairs[] as [$base, $cand]
		| [$runs[] | select(.generator == $g.generator and .size == $g.size)] as $r
		| [$r | map(.round) | unique[] as $i
			| ([$r[] | select(.round == $i and .variant == $base)][0]) as $b
			| ([$r[] | select(.round == $i and .variant == $cand)][0]) as $c
			| select($b != null and $c != null) | $c[$metric] / $b[$metric]] as $s
		| select($s | length > 0)
		| {generator: $g.generator, size: $g.size, label: $g.label, metric: $metric,
		   candidate: $cand, baseline: $base} + ($s | stat)],
	runs: $runs
}
JQ

# ---- NAME.md ----
took="the whole bench took $SECONDS s"
[ -n "$FROM" ] && took="rendered again from the raw records of an earlier run"
jq -r --arg took "$took" '
def fixed($d): (. * pow(10; $d) | round | tostring) as $s
	| ("0" * ([$d + 1 - ($s | length), 0] | max) + $s) as $z
	| if $d == 0 then $z else "\($z[:-$d]).\($z[-$d:])" end;
def k: if . == null then "-" else (. / 1000 | fixed(1)) end;
def r2: if . == null then "-" else fixed(2) end;
def pct: (. * 100 | round | tostring) + " %";
def cell($f): if . == null then "-" else "\(.[$f].median | k) [\(.[$f].min | k)-\(.[$f].max | k)]" end;
. as $root
| ([.rows[] | {generator: .generator, size: .size, label: .label}] | unique_by(.label) | sort_by(.generator != "live", .size)) as $groups
| (.variants as $order | [.rows[].variant] | unique | sort_by(. as $v | $order | index($v))) as $variants
| def row($v; $g): [$root.rows[] | select(.variant == $v and .label == $g.label)][0];
  def ratio($m; $b; $c; $g): [$root.ratios[] | select(.metric == $m and .baseline == $b and .candidate == $c and .label == $g.label)][0];
  def ratiotable($m):
	"| ratio (per round, then median [min-max]) | " + ($groups | map(.label) | join(" | ")) + " |",
	"|---|" + ($groups | map("---:") | join("|")) + "|",
	($root.pairs[] as [$b, $c] | select([$root.ratios[] | select(.baseline == $b and .candidate == $c)] | length > 0)
	 | "| \($c) / \($b) | " + ([$groups[] | ratio($m; $b; $c; .) | if . == null then "-"
		else "**\(.median | r2)x** [\(.min | r2)-\(.max | r2)]" end] | join(" | ")) + " |");
  def vtable($f):
	"| variant | " + ($groups | map(.label) | join(" | ")) + " |",
	"|---|" + ($groups | map("---:") | join("|")) + "|",
	($variants[] as $v | "| \($v) | " + ([$groups[] as $g | row($v; $g) | cell($f)] | join(" | ")) + " |");
"# Packet rate in a VM: podroute vs Open vSwitch, real OVN and kernel forwarding",
"",
"`bench/pktrate_vm.sh`\(if .bench | test("quick") then " --quick" else "" end): IPv4, kpps (thousands of packets/s), median [min-max] of \(.rounds) interleaved rounds, a \(.seconds_per_run) s window per run after \(.warmup_seconds) s of warm-up; \($took).",
"",
"| | |",
"|---|---|",
"| commit | \(.commit) |", "| date | \(.date) |",
"| VM kernel | \(.vm_kernel) |", "| VM CPU | \(.vm_cpu), \(.vm_vcpus) vCPUs (software emulation) |",
"| host | \(.host_cpu), \(.host_ncpu) CPUs, kernel \(.host_kernel) |",
"| Open vSwitch | \(.openvswitch) |", "| podroute | \(.podroute) |",
"| CPU layout | \(.cpu_layout) |",
"",
"**What the absolute numbers mean.** \(.emulation)",
"",
(.notes[] | "- " + .),
"",
"## Per forwarding core (packets over the forwarding threads'"'"' CPU time)",
"",
vtable("per_core_pps"),
"",
ratiotable("per_core_pps"),
"",
"## Received at the pod (packets/s over the receiver'"'"'s clock)",
"",
vtable("received_pps"),
"",
ratiotable("received_pps"),
"",
"Forwarding vCPU busy (forwarding threads, median), offered rate (received + refused by ul0'"'"'s ring, median kpps), frames counted, bad frames:",
"",
"| variant | " + ($groups | map(.label) | join(" | ")) + " |",
"|---|" + ($groups | map("---") | join("|")) + "|",
($variants[] as $v | "| \($v) | " + ([$groups[] as $g | row($v; $g) | if . == null then "-" else
	"busy \(.fwd_busy.median | pct), offered \(.offered_pps | k), \(.frames) frames\(if .bad > 0 then ", \(.bad) bad" else "" end)" end]
	| join(" | ")) + " |"),
"",
(if (.stalls | length) > 0 then "Stalled runs (the stream stopped within the window; not in the rates): " + ([.stalls[] | "\(.variant) \(.generator) \(.size) B round \(.round + 1) after \(.frames_before) frames"] | join("; ")) + ".", "" else empty end),
"With no traffic the forwarding threads used \(.no_traffic.fwd_threads_busy | pct) of vCPU 0 (vCPU 0 not idle: \(.no_traffic.fwd_cpu_not_idle | pct)).",
"",
"## Method",
"",
.method,
"",
"Workarounds, all in bench/pktrate_vm_guest.sh: pktgen.bpf.o has no XDP_TX target, so the live generator tail-calls xdp-bench'"'"'s (attached without libxdp'"'"'s dispatcher, which a tail call cannot enter); its own run sizing assumes it carries the path on its own CPU, so each run is stopped by a signal after a fixed window instead; 48 dummy devices hold XDP programs so that the kernel'"'"'s XDP dispatcher is full and never re-patched while the other vCPU runs through it (patching it under multi-threaded TCG crashed the guest), which puts every XDP program, podroute'"'"'s and the receiver'"'"'s alike, behind its indirect-call fallback.",
"",
"## Raw samples (kpps per round: per core / received)",
"",
($root.rows[] | "- \(.label), \(.variant): " + ([.per_core_pps.samples, .received_pps.samples] | transpose
	| map("\(.[0] | k)/\(.[1] | k)") | join(", "))),
"",
"Every run'"'"'s raw counters are in `\(.bench).json` (`runs`).",
"",
"![\(.bench)](\(.bench).png)"
' "$res/$name.json" >"$res/$name.md" || report_failed "cannot write $res/$name.md"

# ---- NAME.png: bars per variant and group, min-max whiskers, every round a dot ----
plot_dir=$work/plot
mkdir -p "$plot_dir"
jq -r '
([.rows[] | {generator: .generator, size: .size, label: .label}] | unique_by(.label) | sort_by(.generator != "live", .size)) as $groups
| .variants as $vs | ($vs | length + 1) as $slot
| .rows[] | .label as $l | .variant as $var | ($groups | map(.label) | index($l)) as $g | ($vs | index($var)) as $v
| [$g * $slot + $v + 1, $v, .per_core_pps.median, .per_core_pps.min, .per_core_pps.max,
   .received_pps.median, .received_pps.min, .received_pps.max,
   (.per_core_pps.samples | map(tostring) | join(",")), (.received_pps.samples | map(tostring) | join(","))] | @tsv
' "$res/$name.json" >"$plot_dir/bars.tsv"
awk -F'\t' '{ n = split($9, a, ","); split($10, b, ","); for (i = 1; i <= n; i++) print $1, a[i] / 1000, b[i] / 1000 }' \
	"$plot_dir/bars.tsv" >"$plot_dir/points.dat"
xtics=$(jq -r '. as $root | [.rows[] | {generator: .generator, size: .size, label: .label}] | unique_by(.label) | sort_by(.generator != "live", .size)
	| ($root.variants | length + 1) as $slot
	| to_entries | map("\"\(.value.label)\" \(.key * $slot + $slot / 2)") | join(", ")' "$res/$name.json")
footer=$(jq -r '"commit \(.commit), \(.date); VM kernel \(.vm_kernel), VM CPU \(.vm_cpu) (QEMU TCG, \(.vm_vcpus) vCPUs) on host CPU \(.host_cpu)\\nmedian of \(.rounds) interleaved rounds (bar), min-max (whisker), each round (dot); generator on vCPU 1, forwarding on vCPU 0"' "$res/$name.json")
ngroups=$(jq '[.rows[].label] | unique | length' "$res/$name.json")
mapfile -t names < <(jq -r '.variants[]' "$res/$name.json")
slot=$((${#names[@]} + 1))
{
	echo "set terminal pngcairo noenhanced size 1300,560 font 'sans,9'"
	echo "set output '$res/$name.png'"
	echo "set multiplot layout 1,2 title 'IPv4 packet rate in a QEMU/TCG VM: podroute vs Open vSwitch, real OVN and kernel forwarding (emulated: compare ratios, not absolute rates)'"
	echo "set bmargin 6"
	echo "set style fill solid 0.7 border -1"
	echo "set boxwidth 0.8"
	echo "set grid ytics"
	echo "set yrange [0:*]"
	echo "set xrange [0:$((ngroups * slot))]"
	echo "set xtics ($xtics)"
	echo "set ylabel 'kpps'"
	echo "set key outside top center horizontal"
	echo "set label 1 \"$footer\" at screen 0.01, screen 0.05"
	colors=("#1f77b4" "#9ecae1" "#7f7f7f" "#2ca02c" "#98df8a" "#ff7f0e" "#d62728" "#9467bd")
	for panel in 1 2; do
		if [ $panel = 1 ]; then
			echo "set title 'per forwarding core (packets / CPU time of the forwarding threads)'"
			m=3 lo=4 hi=5 p=2
		else
			echo "unset label 1"
			echo "set title 'received at the pod (packets / s)'"
			m=6 lo=7 hi=8 p=3
		fi
		plots=()
		for ((v = 0; v < ${#names[@]}; v++)); do
			plots+=("'$plot_dir/bars.tsv' using (\$2 == $v ? \$1 : NaN):(\$$m / 1000) with boxes lc rgb '${colors[$v]}' title '${names[$v]}'")
		done
		plots+=("'$plot_dir/bars.tsv' using 1:(\$$m / 1000):(\$$lo / 1000):(\$$hi / 1000) with yerrorbars lc rgb 'black' pt 7 ps 0 notitle")
		plots+=("'$plot_dir/points.dat' using 1:$p with points pt 7 ps 0.5 lc rgb 'black' notitle")
		(IFS=,; echo "plot ${plots[*]}")
	done
	echo "unset multiplot"
} >"$plot_dir/plot.gp"
gnuplot "$plot_dir/plot.gp" || report_failed "gnuplot failed"

if [ -n "$COPY_TO" ]; then
	cp "$res/$name.json" "$res/$name.md" "$res/$name.png" "$COPY_TO/" || fail "cannot copy the results to $COPY_TO"
fi

# ---- human output: the md's tables ----
sed -n '/^## Per forwarding core/,/^Forwarding vCPU busy/p' "$res/$name.md" | sed '$d'
echo "results: $res/$name.json $res/$name.md $res/$name.png (total $SECONDS s)"
