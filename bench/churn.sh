#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Churn: the fast path's decisions for unchanged prefixes, in alternating
# quiet and churn windows (bench/churn.c), with the agent running and
# following the kernel, ROUTES (100,000) BGP routes installed and the
# lookup index on:
#  1. route churn: other BGP routes added and deleted at RATE/s (10,000);
#  2. full resync: `podroute agent --once` re-reading and reconciling the
#     whole table over and over beside the running agent.
# Destinations: 4,096 random addresses, one in 16 the pod's (a redirect),
# the rest inside random installed routes, taken in turn so that
# consecutive decisions walk different parts of the table; each must get
# the verdict it got before the churn. Reports decisions/s quiet vs churn
# (median, ratio; target drop <= 10%) and wrong verdicts (must be 0).
# Agent and churn on CPU 0, the measurement on CPU 1.
# Writes bench/results/churn.{json,md}. Usage: churn.sh [--quick]
set -u -o pipefail
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
. bench/lib/node.sh
TOPO_ID=bchurn NS_CLIENT=prc-bch NS_NODE=prn-bch NS_POD=prp-bch NS_VM=prv-bch PIN_DIR=/sys/fs/bpf/podroute-bench-churn
RATE=10000 WINDOWS=10 ROUTES=100000
[ "${1:-}" = --quick ] && WINDOWS=4 ROUTES=20000
topo_cleanup
topo_create || exit 1
res=bench/results dir=$(mktemp -d)
mkdir -p "$res"
trap '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; rm -rf "$dir"; topo_cleanup' EXIT
bench_config "$dir/config.yaml" "$ROUTES"
AGENT_LOG=$dir/agent.log
bench_agent_start "$dir/config.yaml" || exit 1
bench_install_routes "$ROUTES" || exit 1
wait_for bench_index_current 60 || { echo "lookup index not current"; exit 1; }
awk -v n="$ROUTES" 'BEGIN { srand(7); for (k = 0; k < 4096; k++) { if (k % 16 == 0) { print "10.128.1." 1 + int(rand() * 250); continue }
	i = int(rand() * n); printf "%d.%d.%d.%d\n", 11 + int(i / 65536), int(i / 256) % 256, i % 256, 1 + int(rand() * 254) } }' >"$dir/dsts.txt"
run() { nsenter --net=/run/netns/"$NS_NODE" taskset -c 1 build/bench/churn "$PIN_DIR" in0 192.0.2.12 10.128.1.5 "$@" --dsts "$dir/dsts.txt"; }
echo "== 1. route churn at $RATE changes/s"
run "$RATE" "$WINDOWS" --json "$dir/churn.json" | tee "$dir/churn.txt" || exit 1
echo "== 2. full resync of $ROUTES routes, over and over"
CHURN_CMD="while :; do taskset -c 0 nsenter --net=/run/netns/$NS_NODE $PODROUTE --pin-dir $PIN_DIR agent --config $dir/config.yaml --once --metrics-listen none >/dev/null 2>&1; done" \
	run 1 "$WINDOWS" --json "$dir/resync.json" | tee "$dir/resync.txt" || exit 1
{
	echo "Fast-path decisions/s for unchanged prefixes with $ROUTES routes installed and the lookup index on, median of $((WINDOWS / 2)) windows each (BPF_PROG_TEST_RUN on the agent's pinned maps, one decision per run, 4,096 destinations in turn, each verdict checked)."
	echo
	echo "| condition | quiet | during | ratio | route changes/s | wrong verdicts | index off (samples) |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for f in churn resync; do
		jq -r --arg f "$f" '"| \(if $f == "churn" then "route churn" else "full resync" end) | \(.quiet_per_s | sort | .[length/2|floor]) | \(.churn_per_s | sort | .[length/2|floor]) | \(.ratio*1000|round/1000) | \(if $f == "churn" then (.changes_per_s | sort | .[length/2|floor]) else "-" end) | \(.wrong_verdicts) of \(.decisions) | \(.index_off_samples) of \(.index_samples) |"' "$dir/$f.json"
	done
} | tee "$res/churn.md"
jq -n --slurpfile c "$dir/churn.json" --slurpfile r "$dir/resync.json" \
	--arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" --arg date "$(date -u +%FT%TZ)" \
	--argjson rate "$RATE" --argjson routes "$ROUTES" \
	'{bench: "churn", meta: {commit: $commit, kernel: $kernel, cpu: $cpu, date: $date, target_rate: $rate, resync_routes: $routes},
	  route_churn: $c[0], full_resync: $r[0]}' >"$res/churn.json"
echo "results: $res/churn.json, $res/churn.md"
