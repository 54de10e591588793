#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# TCP client -> pod across the node (selftests/net/lib/topo.sh) through
# three datapaths, back to back in every round, the order rotated per round:
#  - slow-on:  the kernel's forwarding, the provider's veth with its
#              offloads at their defaults (tx checksum, SG, TSO, GSO on):
#              the client's TCP hands GSO super-packets (up to 64 KB) to the veth
#              and the kernel forwards them whole;
#  - slow-off: the kernel's forwarding, tx checksum offload off on the
#              provider's veth (and with it TSO: the client's GSO segments
#              in software into wire-sized frames with complete checksums,
#              as frames from a wire arrive);
#  - fast:     podroute's XDP fast path (XDP on the node's in0, redirect to
#              the pod's veth), tx checksum offload off as in slow-off: a
#              veth sender leaves TCP checksums to offload (CHECKSUM_PARTIAL),
#              which an XDP redirect cannot finish, and XDP works on
#              wire-sized frames anyway, so it cannot keep GSO/TSO.
# GRO stays as the kernel and the topology have it in every variant (the
# pod's veth has GRO on: an XDP redirect into a veth needs NAPI there).
# fast / slow-off is the datapath's own gain, slow-off / slow-on what losing
# GSO/TSO costs the kernel's forwarding, fast / slow-on what a user sees.
# Per variant and round:
#  - request/response: sockperf ping-pong over TCP (one-way latency p50 /
#    p99 in us as sockperf reports it, half the round trip; transactions/s
#    = messages / run time);
#  - stream: iperf3, one TCP connection client -> pod (Gbit/s, the first
#    second omitted), its retransmits, and bytes per packet received by
#    the node's in0 and by the pod's veth (a GSO skb counts once).
# Client on CPU 0, servers on CPU 1. Neighbours are permanent, so that
# switching variants never waits on ARP.
# Writes bench/results/tcp_rr.{json,md,png} (--quick: tcp_rr-quick.*).
set -u
usage() {
	echo "usage: $0 [--quick]"
	echo "  TCP request/response (sockperf) and stream (iperf3), client -> pod, through the kernel's"
	echo "  forwarding with the provider's offloads on, with them off, and podroute's XDP fast path;"
	echo "  rounds of all three back to back in a rotated order. Writes bench/results/tcp_rr.{json,md,png}."
	echo "  --quick  3 rounds of 1 s (writes bench/results/tcp_rr-quick.*)"
}
RUNS=9 SECS=3 name=tcp_rr
case "${1:-}" in
"") ;;
--quick) RUNS=3 SECS=1 name=tcp_rr-quick ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
TOPO_ID=btcp NS_CLIENT=prc-btcp NS_NODE=prn-btcp NS_POD=prp-btcp NS_VM=prv-btcp PIN_DIR=/sys/fs/bpf/podroute-bench-tcp
for t in sockperf iperf3 jq gnuplot ethtool; do command -v $t >/dev/null || { echo "tcp_rr: $t missing (make deps)"; exit 1; }; done
[ -x "$PODROUTE" ] || { echo "tcp_rr: $PODROUTE missing (make)"; exit 1; }
start=$(date +%s) load_start=$(cut -d' ' -f1-3 /proc/loadavg)
topo_cleanup
topo_create || exit 1
res=bench/results raw=$(mktemp -d) servers=()
mkdir -p "$res"
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$raw"; topo_cleanup' EXIT
ip -n "$NS_CLIENT" route add 10.128.1.0/24 via 192.0.2.1
mac() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
ip -n "$NS_CLIENT" neigh replace 192.0.2.1 lladdr "$(mac "$NS_NODE" in0)" dev eth0 nud permanent
ip -n "$NS_NODE" neigh replace 192.0.2.2 lladdr "$(mac "$NS_CLIENT" eth0)" dev in0 nud permanent
ip -n "$NS_NODE" neigh replace 10.128.1.5 lladdr "$POD_MAC" dev mp0 nud permanent
ip -n "$NS_POD" neigh replace 10.128.1.1 lladdr "$(mac "$NS_NODE" mp0)" dev eth0 nud permanent
# Not through in_ns (a function: $! would be a subshell): ip and taskset
# exec, so $! is the server itself.
ip netns exec "$NS_POD" taskset -c 1 sockperf sr --tcp -i 10.128.1.5 -p 11111 >/dev/null 2>&1 &
servers+=($!)
ip netns exec "$NS_POD" taskset -c 1 iperf3 -s -B 10.128.1.5 -p 5201 >/dev/null 2>&1 &
servers+=($!)
wait_for "in_ns '$NS_POD' ss -ltn | grep -q ':5201' && in_ns '$NS_POD' ss -ltn | grep -q ':11111'" 10 || { echo "servers did not start"; exit 1; }

attached=0
xdp_on_in0() { ip -n "$NS_NODE" -d link show in0 | grep -q 'prog/xdp'; }
# Offload state of the devices on the way, for the record.
features() { # ns dev
	# The sub-features: the aggregate "tcp-segmentation-offload" can read on
	# while tx-tcp-segmentation is off for want of checksum offload.
	in_ns "$1" ethtool -k "$2" | awk -F': ' '{ sub(/^[ \t]+/, "", $1) }
		$1 ~ /^(tx-checksum-ip-generic|scatter-gather|tx-tcp-segmentation|generic-segmentation-offload|generic-receive-offload)$/ {
			split($2, w, " "); printf "%s%s=%s", (n++ ? " " : ""), $1, w[1] }'
}
variant() { # name: set the datapath and the provider's offloads up for it
	case $1 in
	fast)
		in_ns "$NS_CLIENT" ethtool -K eth0 tx off >/dev/null
		[ $attached = 1 ] || { topo_attach >/dev/null || { echo "tcp_rr: attach failed"; exit 1; }; attached=1; } ;;
	slow-off | slow-on)
		[ $attached = 0 ] || { node_podroute detach --unpin >/dev/null; attached=0; }
		xdp_on_in0 && { echo "tcp_rr: XDP still on in0 for $1"; exit 1; }
		if [ "$1" = slow-on ]; then
			in_ns "$NS_CLIENT" ethtool -K eth0 tx on >/dev/null
		else
			in_ns "$NS_CLIENT" ethtool -K eth0 tx off >/dev/null
		fi ;;
	esac
	in_ns "$NS_CLIENT" ethtool -k eth0 | grep -q "^[[:space:]]*tx-tcp-segmentation: $([ "$1" = slow-on ] && echo on || echo off)" ||
		{ echo "tcp_rr: TSO on the provider's veth is not as $1 wants it"; exit 1; }
	in_ns "$NS_CLIENT" ethtool -k eth0 | grep -q "^tx-checksumming: $([ "$1" = slow-on ] && echo on || echo off)" ||
		{ echo "tcp_rr: tx checksumming on the provider's veth is not as $1 wants it"; exit 1; }
	[ -e "$raw/features.$1" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$(features "$NS_CLIENT" eth0)" \
		"$(features "$NS_NODE" in0)" "$(features "$NS_NODE" mp0)" "$(features "$NS_POD" eth0)" >"$raw/features.$1"
}
rx() { ip -n "$1" -s -j link show "$2" | jq -r '.[0].stats64.rx | "\(.bytes) \(.packets)"'; }
# Segments the pod's TCP put in its out-of-order queue (absolute, no nstat history).
ofo() { in_ns "$NS_POD" nstat -as TcpExtTCPOFOQueue | awk '$1 == "TcpExtTCPOFOQueue" { n = $2 } END { print n + 0 }'; }
# System-wide CPU pressure (PSI "some": time with a task waiting for a CPU), in us.
psi() { awk '/^some/ { sub("total=", "", $5); print $5 }' /proc/pressure/cpu; }
bpp() { # "bytes packets" before, after -> bytes per packet
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y); p = y[2] - x[2]; printf "%.0f", (p > 0 ? (y[1] - x[1]) / p : 0) }'
}
one_run() { # variant round position
	local v=$1 r=$2 pos=$3 secs=${4:-$SECS} out js p50 p99 tps gbps retr in0a in0b poda podb ofoa psia t0
	psia=$(psi) t0=$(date +%s%N)
	out=$(in_ns "$NS_CLIENT" timeout $((secs + 20)) taskset -c 0 sockperf pp --tcp -i 10.128.1.5 -p 11111 -t "$secs" 2>&1)
	p50=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' <<<"$out")
	p99=$(sed -n 's/.*percentile 99.000 = *\([0-9.]*\).*/\1/p' <<<"$out")
	tps=$(sed -n 's/.*RunTime=\([0-9.]*\) sec; SentMessages=\([0-9]*\).*/\2 \1/p' <<<"$out" | awk '{printf "%.0f", $1 / $2}')
	in0a=$(rx "$NS_NODE" in0) poda=$(rx "$NS_POD" eth0) ofoa=$(ofo)
	js=$(in_ns "$NS_CLIENT" timeout $((secs + 20)) taskset -c 0 iperf3 --connect-timeout 3000 -c 10.128.1.5 -p 5201 \
		-t "$secs" -O 1 -J 2>/dev/null)
	in0b=$(rx "$NS_NODE" in0) podb=$(rx "$NS_POD" eth0)
	pressure=$(awk -v a="$psia" -v b="$(psi)" -v t0="$t0" -v t1="$(date +%s%N)" 'BEGIN { printf "%.1f", 100 * (b - a) * 1000 / (t1 - t0) }')
	gbps=$(jq '.end.sum_received.bits_per_second / 1e9' <<<"$js" 2>/dev/null)
	retr=$(jq '.end.sum_sent.retransmits // 0' <<<"$js" 2>/dev/null)
	[ -n "$p50" ] && [ -n "$p99" ] && [ -n "$tps" ] && [ -n "$gbps" ] && [ "$gbps" != null ] ||
		{ echo "tcp_rr: a $v run failed: $out $js"; exit 1; }
	[ "$r" -gt 0 ] || return 0 # warm-up
	echo "$v $r $pos $p50 $p99 $tps $gbps $retr $(bpp "$in0a" "$in0b") $(bpp "$poda" "$podb") $(($(ofo) - ofoa)) $pressure" >>"$raw/samples"
	printf '  round %d  %-8s p50 %7s us  p99 %9s us  %6s trans/s  %6.2f Gbit/s  retr %5s  cpu pressure %5s%%\n' \
		"$r" "$v" "$p50" "$p99" "$tps" "$gbps" "$retr" "$pressure"
}
redir() { counter 1 redirect; }
variants=(slow-on slow-off fast)
# Warm-up: one short run of each, not recorded.
for v in "${variants[@]}"; do variant "$v"; one_run "$v" 0 0 1; done
for ((r = 1; r <= RUNS; r++)); do
	for ((i = 0; i < ${#variants[@]}; i++)); do
		v=${variants[$(((r - 1 + i) % ${#variants[@]}))]}
		variant "$v"
		[ "$v" = fast ] && before=$(redir)
		one_run "$v" "$r" $((i + 1))
		# The fast path really carried it: the redirect counter moved by at
		# least the request/response messages.
		[ "$v" != fast ] || [ "$(redir)" -gt $((before + 1000)) ] || { echo "tcp_rr: fast run $r was not fast-pathed"; exit 1; }
	done
done
[ $attached = 0 ] || { node_podroute detach --unpin >/dev/null; attached=0; }
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - start))

cat "$raw"/features.* >"$raw/features"
jq -n --rawfile samples "$raw/samples" --rawfile features "$raw/features" \
	--arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" --arg date "$(date -u +%FT%TZ)" \
	--argjson ncpu "$(nproc)" --arg load_start "$load_start" --arg load_end "$load_end" \
	--argjson runs "$RUNS" --argjson secs "$SECS" --argjson elapsed "$elapsed" --arg name "$name" '
def median: sort | length as $n | if $n == 0 then null elif $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
def stats: {median: median, min: min, max: max, n: length};
def pretty: if . == null then "-" elif . >= 1000 then (. | round | tostring)
	elif . >= 100 then ((. * 10 | round) / 10 | tostring) else ((. * 100 | round) / 100 | tostring) end;
def spread: "\(.median | pretty) [\(.min | pretty)–\(.max | pretty)]";
def ratio: "\(.median * 100 | round / 100) [\(.min * 100 | round / 100)–\(.max * 100 | round / 100)]";
[$samples | split("\n")[] | select(length > 0) | split(" ") |
  {variant: .[0], round: (.[1] | tonumber), position: (.[2] | tonumber), p50_us: (.[3] | tonumber), p99_us: (.[4] | tonumber),
   transactions_per_s: (.[5] | tonumber), stream_gbps: (.[6] | tonumber), stream_retransmits: (.[7] | tonumber),
   in0_rx_bytes_per_packet: (.[8] | tonumber), pod_rx_bytes_per_packet: (.[9] | tonumber),
   pod_ofo_queued: (.[10] | tonumber), cpu_pressure_pct: (.[11] | tonumber)}] as $s |
[["p50_us", "request/response latency p50 (us, one way)"], ["p99_us", "request/response latency p99 (us, one way)"],
 ["transactions_per_s", "request/response transactions/s"], ["stream_gbps", "stream throughput (Gbit/s)"],
 ["stream_retransmits", "stream retransmits (segments)"], ["in0_rx_bytes_per_packet", "stream bytes/packet into the node (in0)"],
 ["pod_rx_bytes_per_packet", "stream bytes/packet into the pod (eth0)"],
 ["pod_ofo_queued", "stream segments out of order at the pod"],
 ["cpu_pressure_pct", "CPU pressure during the run (%, PSI some)"]] as $figs |
["slow-on", "slow-off", "fast"] as $vs |
[["fast", "slow-off"], ["slow-off", "slow-on"], ["fast", "slow-on"]] as $pairs |
([$figs[] as [$k, $lbl] | {key: $k, label: $lbl} +
  ([$vs[] as $v | {key: $v, value: ([$s[] | select(.variant == $v) | .[$k]] | stats)}] | from_entries) +
  # Ratios per round (both variants of a round ran back to back), then the median [min-max].
  (if ($k | IN("p50_us", "p99_us", "transactions_per_s", "stream_gbps") | not) then {} else
   [$pairs[] as [$a, $b] | {key: "\($a)/\($b)",
     value: ([$s[] | select(.variant == $a) as $x | $s[] | select(.variant == $b and .round == $x.round and .[$k] > 0) |
              $x[$k] / .[$k]] | if length > 0 then stats else null end)}] | from_entries end)]) as $figures |
{bench: "tcp_rr", commit: $commit, kernel: $kernel, cpu: $cpu, ncpu: $ncpu, date: $date,
 loadavg_at_start: $load_start, loadavg_at_end: $load_end, rounds: $runs, seconds_per_run: $secs, elapsed_s: $elapsed,
 method: ("client -> pod over a veth underlay (node in0) to the pod veth; per round slow-on, slow-off and fast back to back, the order rotated per round, after one unrecorded 1 s warm-up of each; "
   + "sockperf ping-pong --tcp (one-way latency = half the RTT) then iperf3 -J -O 1, one TCP connection, \($secs) s each; client CPU 0, servers CPU 1 (taskset); neighbours permanent; "
   + "slow-on: kernel forwarding, provider veth offloads at their defaults; slow-off: kernel forwarding, provider veth tx checksum offload off (and with it TSO); fast: podroute XDP on in0 redirecting to mp0, provider tx checksum offload off; GRO as the kernel has it"),
 offloads: [$features | split("\n")[] | select(length > 0) | split("\t") |
   {variant: .[0], provider_eth0: .[1], node_in0: .[2], node_mp0: .[3], pod_eth0: .[4]}],
 samples: $s,
 figures: $figures,
 points: [$s[] as $x | ($figs[:4][], $figs[-1]) as [$k, $lbl] | {label: $lbl, variant: $x.variant, round: $x.round, value: $x[$k]}],
 table: [$figures[] | {label: .label, on: (.["slow-on"] | spread), off: (.["slow-off"] | spread), fast: (.fast | spread),
   r1: (.["fast/slow-off"] | if . == null then "-" else ratio end), r2: (.["slow-off/slow-on"] | if . == null then "-" else ratio end),
   r3: (.["fast/slow-on"] | if . == null then "-" else ratio end)}],
 report: {
   title: "TCP client -> pod: kernel forwarding with offloads on / off vs podroute XDP",
   notes: [
     "Median [min–max] over \($runs) rounds of \($secs) s; every round runs the three variants back to back, the order rotated per round. Ratios are per round (both figures from the same round), then median [min–max]; for latency and retransmits lower is better.",
     "slow on: kernel forwarding, the provider veth with tx checksum / SG / TSO / GSO at their defaults (GSO packets of up to 64 KB cross the node whole). slow off: the same with tx checksum offload off on the provider veth, which takes TSO with it: the client TCP GSO segments in software before the veth, so wire-sized frames with complete checksums cross it, as from a NIC on a wire. podroute XDP: offloads off as in slow off, necessarily: a veth sender leaves the TCP checksum to offload (CHECKSUM_PARTIAL), which an XDP redirect cannot finish, and XDP sees wire-sized frames only.",
     "fast / slow off is the datapath\u0027s own gain; slow off / slow on is what losing GSO/TSO costs the kernel path; fast / slow on is what a user sees against an offloading sender.",
     "Request/response: sockperf ping-pong over TCP, 14-byte messages, one in flight, one-way latency (half the RTT); stream: iperf3, one TCP connection, the first second omitted. Client on CPU 0, servers on CPU 1; forwarding runs in softirq on the sender CPU.",
     "Bytes/packet: bytes over packets counted by the node in0 and the pod veth during the stream (a GSO skb counts once). Out of order: the pod TcpExtTCPOFOQueue during the stream. CPU pressure: /proc/pressure/cpu some, the share of the run with a task waiting for a CPU, machine-wide (other work on the machine shows here)."
   ],
   tables: [
     {title: "figures", source: "table",
      columns: [["figure", ".label"], ["slow path, offloads on", ".on"], ["slow path, offloads off", ".off"], ["podroute XDP (offloads off)", ".fast"],
                ["fast / slow off", ".r1"], ["slow off / slow on", ".r2"], ["fast / slow on", ".r3"]]},
     {title: "offloads per variant (ethtool -k, during the run)", source: "offloads",
      columns: [["variant", ".variant"], ["provider eth0", ".provider_eth0"], ["node in0", ".node_in0"], ["node mp0", ".node_mp0"], ["pod eth0", ".pod_eth0"]]}
   ],
   plot: {source: "points", panel: ".label", series: ".variant", x: ".round", y: ".value", xlabel: "round", ylabel: "value (see panel title)"}
 }}' >"$res/$name.json" ||
	{ echo "tcp_rr: cannot build $res/$name.json from:"; cat "$raw/samples" "$raw/features"; exit 1; }
bench/report.sh -d "$res" "$name" >/dev/null || { echo "tcp_rr: report failed"; exit 1; }
cat "$res/$name.md"
echo "results: $res/$name.json, $res/$name.md, $res/$name.png (${elapsed}s)"
