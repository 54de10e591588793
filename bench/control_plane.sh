#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Control-plane figures, in a namespace topology of its own:
#  1. route change -> map entry latency with the agent running and no other
#     routes (median, p99 over N adds and N deletes; bench/route_latency.c);
#  2. cold start with 100,000 BGP routes in the kernel: time for the
#     kernel to install them (ip -batch) vs time for `podroute agent --once`
#     to dump them and fill the maps;
#  3. the same route change latency as 1, with those 100,000 routes
#     installed and in the maps (the agent applies a change to its one
#     entry: the cost must not grow with the table).
# Usage: control_plane.sh [N_CHANGES] [N_ROUTES]   (defaults 1000, 100000)
set -u
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
. bench/lib/node.sh
TOPO_ID=bench-cp NS_CLIENT=prc-bcp NS_NODE=prn-bcp NS_POD=prp-bcp PIN_DIR=/sys/fs/bpf/podroute-bench-cp
N=${1:-1000} ROUTES=${2:-100000}
topo_cleanup
topo_create || exit 1
dir=$(mktemp -d /run/prbench.XXXXXX)
trap '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; topo_cleanup; rm -rf "$dir"' EXIT
bench_config "$dir/config.yaml" "$ROUTES"

echo "== 1. route change -> map ($N adds, $N deletes; agent on CPU 0, probe on CPU 1)"
AGENT_LOG=$dir/agent.log
bench_agent_start "$dir/config.yaml" || exit 1
nsenter --net=/run/netns/"$NS_NODE" taskset -c 1 build/bench/route_latency "$PIN_DIR" in0 192.0.2.12 "$N" \
	--json "$dir/latency_empty.json" || exit 1
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
node_podroute detach --unpin >/dev/null 2>&1

echo "== 2. cold start with $ROUTES BGP routes"
bench_routes_batch "$ROUTES" "$dir/routes.batch"
t0=$(date +%s.%N)
ip -n "$NS_NODE" -batch "$dir/routes.batch" || exit 1
t1=$(date +%s.%N)
# Each line of the agent's log stamped as it arrives: the cold start splits
# into loading and attaching the program (the verifier's time) and the
# netlink dump plus the map fill, which is what the kernel's install time
# compares with.
nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$dir/config.yaml" --once \
	2>&1 | while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N)" "$l"; done >"$dir/once.log"
[ "${PIPESTATUS[0]}" = 0 ] || { cat "$dir/once.log"; exit 1; }
t2=$(date +%s.%N)
n=$(bpftool map dump pinned "$PIN_DIR/pr_routes4" -j | jq length)
ta=$(awk '/config loaded/ { print $1; exit }' "$dir/once.log")
tr=$(awk '/reconcile:/ { print $1; exit }' "$dir/once.log")
[ -n "$ta" ] && [ -n "$tr" ] || { cat "$dir/once.log"; exit 1; }
printf 'kernel install (ip -batch):      %6.2f s\n' "$(echo "$t1 - $t0" | bc)"
printf 'podroute cold start to full map: %6.2f s  (%s entries in pr_routes4)\n' "$(echo "$t2 - $t1" | bc)" "$n"
printf '  of which program load + attach: %6.2f s, netlink dump + map fill: %6.2f s\n' \
	"$(echo "$ta - $t1" | bc)" "$(echo "$tr - $ta" | bc)"
grep -o 'reconcile:.*' "$dir/once.log"

echo "== 3. route change -> map with $ROUTES routes installed ($N adds, $N deletes)"
nsenter --net=/run/netns/"$NS_NODE" taskset -c 0 "$PODROUTE" --pin-dir "$PIN_DIR" agent \
	--config "$dir/config.yaml" --metrics-listen none >>"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
wait_for "[ \$(grep -c 'agent running' '$AGENT_LOG') -ge 2 ]" 120 || { cat "$AGENT_LOG"; exit 1; }
nsenter --net=/run/netns/"$NS_NODE" taskset -c 1 build/bench/route_latency "$PIN_DIR" in0 192.0.2.12 "$N" \
	--json "$dir/latency_full.json" || exit 1
mkdir -p bench/results
jq -n --slurpfile e "$dir/latency_empty.json" --slurpfile f "$dir/latency_full.json" \
	--arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" --arg date "$(date -u +%FT%TZ)" \
	--argjson routes "$ROUTES" --argjson entries "$n" --argjson kernel_s "$(echo "$t1 - $t0" | bc)" \
	--argjson total_s "$(echo "$t2 - $t1" | bc)" --argjson load_s "$(echo "$ta - $t1" | bc)" \
	--argjson fill_s "$(echo "$tr - $ta" | bc)" \
	'{bench: "control_plane", meta: {commit: $commit, kernel: $kernel, cpu: $cpu, date: $date,
	   method: "route_latency: N routes added then deleted one at a time over rtnetlink, each timed until the pinned pr_routes4 has (has not) it; cold start: ip -batch of the routes, then agent --once on fresh pins, its log lines stamped as they arrive"},
	  route_to_map_no_other_routes: $e[0], route_to_map_with_routes_installed: $f[0],
	  cold_start: {routes: $routes, entries_in_map: $entries, kernel_install_s: $kernel_s, podroute_total_s: $total_s,
	    program_load_attach_s: $load_s, dump_and_fill_s: $fill_s}}' >bench/results/control_plane.json || exit 1
echo "results: bench/results/control_plane.json"
