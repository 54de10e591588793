#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Restart -> following: from the agent's exec until a route added right
# after it is in pr_routes4, with ROUTES (10,000) BGP routes already there.
# Two ways, alternating round by round (ROUNDS each, medians and the ratio):
#  - adopt: the pinned programs of the same build are taken as they are;
#  - load:  their pins removed first, so the object is loaded and verified
#           again (what every restart did before the adoption).
# The probe polls the pinned map with bpftool every few ms, so times
# include up to one poll.
# Writes bench/results/restart.{json,md}. Usage: restart.sh [--quick]
set -u -o pipefail
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
. bench/lib/node.sh
TOPO_ID=brst NS_CLIENT=prc-brst NS_NODE=prn-brst NS_POD=prp-brst NS_VM=prv-brst PIN_DIR=/sys/fs/bpf/podroute-bench-restart
ROUNDS=5 ROUTES=10000
[ "${1:-}" = --quick ] && ROUNDS=3 ROUTES=1000
topo_cleanup
topo_create || exit 1
res=bench/results dir=$(mktemp -d)
mkdir -p "$res"
trap '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; rm -rf "$dir"; topo_cleanup' EXIT
bench_config "$dir/config.yaml" "$ROUTES"
AGENT_LOG=$dir/agent.log
bench_agent_start "$dir/config.yaml" || exit 1
bench_install_routes "$ROUTES" || exit 1
now() { date +%s.%N; }
# pr_routes4 holds 10.250.R.0/24 (domain 0: prefixlen 32 + 24 = 0x38).
in_map() {
	bpftool map lookup pinned "$PIN_DIR/pr_routes4" key hex 38 00 00 00 00 00 00 00 0a fa "$(printf %02x "$1")" 00 \
		>/dev/null 2>&1
}
stop_agent() { kill -TERM "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=; }
echo '[' >"$dir/rows.json"
sep=
for ((r = 1; r <= ROUNDS; r++)); do
	n=$(( (r - 1) * 2 ))
	for how in adopt load; do
		n=$((n + 1)) # this restart's route, 10.250.n.0/24
		stop_agent
		[ $how = load ] && rm -f "$PIN_DIR"/prog_*
		t0=$(now)
		nsenter --net=/run/netns/"$NS_NODE" taskset -c 0 "$PODROUTE" --pin-dir "$PIN_DIR" agent \
			--config "$dir/config.yaml" --metrics-listen none >>"$AGENT_LOG" 2>&1 &
		AGENT_PID=$!
		ip -n "$NS_NODE" route add 10.250.$n.0/24 via 192.0.2.12 dev in0 proto bgp
		for ((w = 0; w < 20000; w++)); do in_map $n && break; done
		t1=$(now)
		in_map $n || { echo "route $n never reached the map"; tail "$AGENT_LOG"; exit 1; }
		s=$(echo "$t1 - $t0" | bc)
		printf 'round %d %-5s restart -> following %6.3f s\n' "$r" "$how" "$s"
		echo "$sep{\"round\": $r, \"how\": \"$how\", \"seconds\": $s}" >>"$dir/rows.json"
		sep=,
		wait_for "grep -c 'agent running' '$AGENT_LOG' | grep -qx $((n + 1))" 20 || { echo "agent did not run"; exit 1; }
	done
done
echo ']' >>"$dir/rows.json"
adopted=$(grep -c "adopted the pinned programs" "$AGENT_LOG")
jq -n --slurpfile rows "$dir/rows.json" --argjson routes "$ROUTES" --argjson adopted "$adopted" \
	--arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" --arg date "$(date -u +%FT%TZ)" \
	'def med: sort | .[length/2|floor];
	{bench: "restart", meta: {commit: $commit, kernel: $kernel, cpu: $cpu, date: $date, routes: $routes,
	  method: "SIGTERM, exec, a route added at once; until it is in pr_routes4 (bpftool polling); adopt and load alternate"},
	  rows: $rows[0], adopting_starts: $adopted,
	  median_adopt_s: ([$rows[0][] | select(.how == "adopt") | .seconds] | med),
	  median_load_s: ([$rows[0][] | select(.how == "load") | .seconds] | med)}
	| .ratio = (.median_adopt_s / .median_load_s)' >"$res/restart.json"
{
	echo "| restart with $ROUTES routes | restart -> following, median of $ROUNDS (s) |"
	echo "|---|---:|"
	jq -r '"| adopting the pinned programs | \(.median_adopt_s * 1000 | round / 1000) |",
		"| loading and verifying again | \(.median_load_s * 1000 | round / 1000) |",
		"| ratio | \(.ratio * 100 | round / 100) |"' "$res/restart.json"
} | tee "$res/restart.md"
[ "$adopted" -eq "$ROUNDS" ] || { echo "expected $ROUNDS adopting starts, the log has $adopted"; exit 1; }
