#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Churn on live traffic: the fast path's forwarding rate, and every frame
# accounted for, while the agent follows route changes at RATE/s (10,000)
# with ROUTES (100,000) BGP routes installed and the lookup index on.
#
# The generator is pktrate.sh's (bench/pktgen live: frames handed to
# podroute's XDP program on in0 as its driver would, 16 flows to the pod,
# 64 bytes), pinned to CPU 1, where the path and the pod's XDP counter run
# too; the agent and the churn (bench/churn --churn-only: other routes
# added and deleted over rtnetlink, paced) run on CPU 0. Windows alternate
# quiet and churn, WINDOW_S seconds of traffic each. A frame is good when
# it reaches the pod with TTL 63 and a valid checksum; anything sent and
# not counted good (dropped, passed to the slow path, sent elsewhere) is
# a wrong verdict. Reports frames/s quiet vs churn (median of each, ratio;
# target drop <= 10%) and the frames sent, good and not. The JSON also has
# the generator's own rate (frames over the kernel's time for its run), the
# same ratio as seen from CPU 1 alone: less disturbed by other work that the
# scheduler moves there when CPU 0 is busy with the churn.
# Writes bench/results/churn_live.{json,md}. Usage: churn_live.sh [--quick]
# (INDEX4_MAX=0 in the environment: the same without the lookup index;
# PERF_DIR=DIR: each window's CPU 1 profiled by perf record into DIR.)
set -u -o pipefail
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
. bench/lib/node.sh
TOPO_ID=bchlive NS_CLIENT=prc-bcl NS_NODE=prn-bcl NS_POD=prp-bcl NS_VM=prv-bcl PIN_DIR=/sys/fs/bpf/podroute-bench-chlive
RATE=10000 WINDOWS=10 ROUTES=100000 WINDOW_S=1
[ "${1:-}" = --quick ] && WINDOWS=4 ROUTES=20000 WINDOW_S=0.5
G=$PWD/build/bench/pktgen
export PKTGEN_OBJ=$PWD/build/bench/pktgen.bpf.o
for f in "$G" "$PKTGEN_OBJ" build/bench/churn "$PODROUTE"; do
	[ -e "$f" ] || { echo "churn_live.sh: $f missing: build first (make bench)"; exit 1; }
done
# Exit 4 (not measured) where the kernel has no live-frame generator.
why=$("$G" probe-live) || { rc=$?; echo "churn_live.sh: not measured: $why"; [ $rc -eq 3 ] && exit 4; exit 1; }
res=bench/results dir=$(mktemp -d) RXPIN=/sys/fs/bpf/podroute-bench-chlive-rx-$$
fail() { echo "churn_live.sh: $*" >&2; exit 1; }
topo_cleanup
topo_create || exit 1
mkdir -p "$res"
trap '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; [ -n "${CHURN_PID:-}" ] && kill "$CHURN_PID" 2>/dev/null; rm -f "$RXPIN"; rm -rf "$dir"; topo_cleanup' EXIT
nsn() { nsenter --net=/run/netns/"$1" "${@:2}"; }
# Frames mp0 could not hand to the pod's veth ring (full: the pod's side
# did not keep up), which the pod's counter then never sees.
ring_full() { ip netns exec "$NS_NODE" ethtool -S mp0 | awk '/xdp_xmit_errors/ {n += $2} END {print n + 0}'; }
bench_config "$dir/config.yaml" "$ROUTES"
# The pod's neighbour pinned too: no ARP in the measured path.
ip -n "$NS_NODE" neigh replace 10.128.1.5 lladdr "$POD_MAC" dev mp0 nud permanent
nsn "$NS_POD" "$G" rx-attach eth0 "$RXPIN" --ttl 63 || fail "cannot attach the pod's counter"
AGENT_LOG=$dir/agent.log
bench_agent_start "$dir/config.yaml" ${INDEX4_MAX:+--index4-max "$INDEX4_MAX"} || fail "agent did not start"
bench_install_routes "$ROUTES" || fail "routes"
[ "${INDEX4_MAX:-}" = 0 ] || wait_for bench_index_current 60 || fail "lookup index not current"
in0_mac=$(ip -n "$NS_NODE" -br link show in0 | awk '{print $3}')
client_mac=$(ip -n "$NS_CLIENT" -br link show eth0 | awk '{print $3}')
echo "== $WINDOWS windows of ${WINDOW_S}s, quiet and churn at $RATE changes/s alternating"
: >"$dir/windows.tsv"
for ((w = 0; w < WINDOWS; w++)); do
	kind=quiet changes=0 full0=$(ring_full)
	if ((w % 2)); then
		kind=churn
		nsenter --net=/run/netns/"$NS_NODE" build/bench/churn --churn-only in0 192.0.2.12 "$RATE" \
			>"$dir/churn.out" &
		CHURN_PID=$!
	fi
	# pktgen's line: sent good bad other seconds pps offered good2 pps2
	out=$(nsn "$NS_NODE" ${PERF_DIR:+perf record -q -C 1 -o "$PERF_DIR/w$w-$kind.data" --} \
		taskset -c 1 "$G" live in0 --to attached --dmac "$in0_mac" --smac "$client_mac" \
		--src 192.0.2.2 --dst 10.128.1.5 --size 64 --secs "$WINDOW_S" --rx "$RXPIN") || fail "generator failed"
	if [ "$kind" = churn ]; then
		kill "$CHURN_PID"; wait "$CHURN_PID"; CHURN_PID=
		changes=$(awk '{print $1; exit}' "$dir/churn.out")
	fi
	read -r sent good bad _ _ pps offered _ <<<"$out"
	full=$(($(ring_full) - full0))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$sent" "$good" "$bad" "$pps" "$changes" "$offered" "$full" \
		>>"$dir/windows.tsv"
	printf 'window %2d %-5s %10.0f frames/s (generator %.0f/s)  sent %s good %s%s%s\n' "$w" "$kind" "$pps" "$offered" \
		"$sent" "$good" "$([ "$kind" = churn ] && echo ", $changes route changes/s")" \
		"$([ "$full" != 0 ] && echo ", $full dropped at the pod's full ring")"
done
lsx_after=$(node_podroute -j status | jq -c '.lookup_index')
index_on_after=$(jq '.ipv4.active' <<<"$lsx_after")
echo "lookup index after the windows: $lsx_after"
jq -Rn --arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" --arg date "$(date -u +%FT%TZ)" \
	--argjson rate "$RATE" --argjson routes "$ROUTES" --argjson secs "$WINDOW_S" --argjson index_on "$index_on_after" '
	[inputs | split("\t") | {kind: .[0], sent: (.[1] | tonumber), good: (.[2] | tonumber), bad: (.[3] | tonumber),
		pps: (.[4] | tonumber), changes_per_s: (.[5] | tonumber), generator_pps: (.[6] | tonumber), ring_full: (.[7] | tonumber)}] as $w
	| def med: sort | .[length / 2 | floor];
	{bench: "churn_live", meta: {commit: $commit, kernel: $kernel, cpu: $cpu, date: $date, target_rate: $rate,
		routes: $routes, window_s: $secs, generator: "pktgen live, 64-byte IPv4 frames to the pod, CPU 1",
		churn: "churn --churn-only on CPU 0, beside the agent"},
	 windows: $w,
	 quiet_pps: ($w | map(select(.kind == "quiet") | .pps) | med),
	 churn_pps: ($w | map(select(.kind == "churn") | .pps) | med),
	 changes_per_s: ($w | map(select(.kind == "churn") | .changes_per_s) | med),
	 sent: ($w | map(.sent) | add), good: ($w | map(.good) | add), bad: ($w | map(.bad) | add),
	 lost: ($w | map(.sent - .good) | add), ring_full: ($w | map(.ring_full) | add), index_on_after: $index_on}
	| .ratio = (.churn_pps / .quiet_pps)
	| .generator_quiet_pps = ($w | map(select(.kind == "quiet") | .generator_pps) | med)
	| .generator_churn_pps = ($w | map(select(.kind == "churn") | .generator_pps) | med)
	| .generator_ratio = (.generator_churn_pps / .generator_quiet_pps)' "$dir/windows.tsv" >"$res/churn_live.json" || fail "cannot write the results"
jq -r '"Live forwarding to the pod (64-byte IPv4 frames) with \(.meta.routes) routes installed, median of \(.windows | map(select(.kind == "quiet")) | length) windows of \(.meta.window_s) s each.\n",
	"| condition | quiet frames/s | during frames/s | ratio | route changes/s | frames sent | not delivered good |",
	"|---|---:|---:|---:|---:|---:|---:|",
	"| route churn | \(.quiet_pps | floor) | \(.churn_pps | floor) | \(.ratio * 1000 | round / 1000) | \(.changes_per_s) | \(.sent) | \(.lost) |"' \
	"$res/churn_live.json" | tee "$res/churn_live.md"
jq -r '"generator (frames over the kernel'"'"'s time for the run): quiet \(.generator_quiet_pps | floor)/s, churn \(.generator_churn_pps | floor)/s, ratio \(.generator_ratio * 1000 | round / 1000)"' \
	"$res/churn_live.json"
echo "results: $res/churn_live.json, $res/churn_live.md"
lost=$(jq .lost "$res/churn_live.json")
[ "$lost" = 0 ] || fail "$lost frames were not delivered good ($(jq .ring_full "$res/churn_live.json") of them dropped at the pod's full veth ring)"
