#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# TCP through the fast path vs the slow path, client -> pod across the node
# (selftests/net/lib/topo.sh), back to back, alternating, RUNS times each:
#  - request/response: sockperf ping-pong over TCP (one-way latency p50 /
#    p99 in us as sockperf reports it, half the round trip; transactions/s
#    = messages / run time);
#  - stream: iperf3 TCP throughput client -> pod (Gbit/s).
# Server and client on different CPUs. The pod's veth has GRO on (an XDP
# redirect into a veth needs NAPI on the peer): XDP_REDIRECT hands frames
# one by one, so the sender's TSO/GSO super-packets are segmented before
# the redirect and re-merged only by GRO at the pod; the stream figure
# shows what that costs against the kernel path. Writes
# bench/results/tcp_rr.{json,md}. Usage: tcp_rr.sh [--quick]
set -u
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
TOPO_ID=btcp NS_CLIENT=prc-btcp NS_NODE=prn-btcp NS_POD=prp-btcp NS_VM=prv-btcp PIN_DIR=/sys/fs/bpf/podroute-bench-tcp
RUNS=5 SECS=3
[ "${1:-}" = --quick ] && RUNS=2 SECS=1
for t in sockperf iperf3 jq; do command -v $t >/dev/null || { echo "tcp_rr: $t missing (make deps)"; exit 1; }; done
topo_cleanup
topo_create || exit 1
res=bench/results raw=$(mktemp -d)
mkdir -p "$res"
trap 'pkill -f "sockperf sr --tcp -i 10.128.1.5" 2>/dev/null; pkill -f "iperf3 -s -B 10.128.1.5" 2>/dev/null; rm -rf "$raw"; topo_cleanup' EXIT
ip -n "$NS_CLIENT" route add 10.128.1.0/24 via 192.0.2.1
# Frames on a wire carry complete checksums; a veth would hand XDP TCP
# frames with the checksum left to offload (CHECKSUM_PARTIAL), which an
# XDP redirect cannot finish. Make the provider's veth behave like a NIC.
in_ns "$NS_CLIENT" ethtool -K eth0 tx off >/dev/null
in_ns "$NS_POD" taskset -c 1 sockperf sr --tcp -i 10.128.1.5 -p 11111 >/dev/null 2>&1 &
in_ns "$NS_POD" taskset -c 1 iperf3 -s -B 10.128.1.5 -p 5201 >/dev/null 2>&1 &
wait_for "in_ns '$NS_POD' ss -ltn | grep -q ':5201' && in_ns '$NS_POD' ss -ltn | grep -q ':11111'" 10 || { echo "servers did not start"; exit 1; }
one_run() { # variant run
	local v=$1 r=$2 out
	out=$(in_ns "$NS_CLIENT" timeout 30 taskset -c 0 sockperf pp --tcp -i 10.128.1.5 -p 11111 -t "$SECS" 2>&1)
	p50=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' <<<"$out")
	p99=$(sed -n 's/.*percentile 99.000 = *\([0-9.]*\).*/\1/p' <<<"$out")
	tps=$(sed -n 's/.*RunTime=\([0-9.]*\) sec; SentMessages=\([0-9]*\).*/\2 \1/p' <<<"$out" | awk '{printf "%.0f", $1 / $2}')
	gbps=$(in_ns "$NS_CLIENT" timeout 30 taskset -c 0 iperf3 --connect-timeout 3000 -c 10.128.1.5 -p 5201 -t "$SECS" -J 2>/dev/null |
		jq '.end.sum_received.bits_per_second / 1e9')
	[ -n "$p50" ] && [ -n "$p99" ] && [ -n "$tps" ] && [ -n "$gbps" ] || { echo "tcp_rr: a $v run failed: $out"; exit 1; }
	echo "$v $r $p50 $p99 $tps $gbps" >>"$raw/samples"
}
redir() { counter 1 redirect; }
for ((r = 1; r <= RUNS; r++)); do
	topo_attach >/dev/null || { echo "attach failed"; exit 1; }
	before=$(redir)
	one_run fast "$r"
	# The fast path really carried it: the redirect counter moved by at
	# least the request/response messages.
	[ "$(redir)" -gt $((before + 1000)) ] || { echo "tcp_rr: fast run $r was not fast-pathed"; exit 1; }
	node_podroute detach --unpin >/dev/null
	one_run slow "$r"
done
stat() { # variant column -> "median min max"
	awk -v v="$1" -v c="$2" '$1 == v { print $c }' "$raw/samples" | sort -g |
		awk '{ a[NR] = $1 } END { printf "%.4g %.4g %.4g", a[int((NR + 1) / 2)], a[1], a[NR] }'
}
{
	echo "TCP through the fast path vs the slow path: median [min-max] of $RUNS alternating runs of ${SECS}s."
	echo
	echo "| figure | fast path | slow path | fast / slow |"
	echo "|---|---:|---:|---:|"
	for c in "3 latency p50 (us, one way)" "4 latency p99 (us, one way)" "5 transactions/s" "6 stream (Gbit/s)"; do
		col=${c%% *} name=${c#* }
		read -r fm fl fh <<<"$(stat fast "$col")"
		read -r sm sl sh <<<"$(stat slow "$col")"
		echo "| $name | $fm [$fl-$fh] | $sm [$sl-$sh] | $(awk -v a="$fm" -v b="$sm" 'BEGIN { printf "%.2f", a / b }') |"
	done
} | tee "$res/tcp_rr.md"
jq -R -s --arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" --arg date "$(date -u +%FT%TZ)" \
	--argjson secs "$SECS" \
	'{bench: "tcp_rr", meta: {commit: $commit, kernel: $kernel, cpu: $cpu, date: $date, seconds_per_run: $secs,
	  method: "sockperf ping-pong TCP and iperf3 TCP, client CPU 0, server CPU 1, fast (podroute attached) and slow (detached) alternating"},
	  samples: [split("\n")[] | select(length > 0) | split(" ") |
	    {variant: .[0], run: (.[1]|tonumber), p50_us: (.[2]|tonumber), p99_us: (.[3]|tonumber),
	     transactions_per_s: (.[4]|tonumber), stream_gbps: (.[5]|tonumber)}]}' "$raw/samples" >"$res/tcp_rr.json"
echo "results: $res/tcp_rr.json, $res/tcp_rr.md"
