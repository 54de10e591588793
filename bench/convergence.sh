#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Control-plane convergence from a real BGP peer: the provider (FRR in the
# client namespace) holds N routes (kernel routes it redistributes), the
# node (FRR + podroute agent) peers with it. With the session shut, the
# routes are put in place; then the session is opened and the clock runs:
# time until the node's kernel has all N (proto bgp, as zebra installs
# them) and until podroute's maps have them (`podroute status`). N = 1,000,
# 10,000, 100,000 (--quick: 1,000), 3 runs each where time
# allows (1 for 100k). Also the map memory per prefix (fdinfo memlock).
# Writes bench/results/convergence.{json,md}. Usage: convergence.sh [--quick]
set -u
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
TOPO_ID=bconv NS_CLIENT=prc-bcv NS_NODE=prn-bcv NS_POD=prp-bcv NS_VM=prv-bcv PIN_DIR=/sys/fs/bpf/podroute-bench-conv
SIZES="1000 10000 100000"
[ "${1:-}" = --quick ] && SIZES="1000"
topo_cleanup
topo_create || exit 1
PROVIDER_NETWORKS="  redistribute kernel"
topo_bgp || { echo "BGP did not come up"; exit 1; }
res=bench/results dir=$(mktemp -d)
mkdir -p "$res"
trap '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null; frr_stop_all; rm -rf "$dir"; topo_cleanup' EXIT
cat >"$dir/config.yaml" <<YAML
interfaces:
  underlay: [in0]
limits:
  max_learned_routes: 200000
networks:
  - name: default
    prefixes: [10.128.1.0/24]
    target: {port: mp0, mac: $POD_MAC}
YAML
AGENT_LOG=$dir/agent.log
nsenter --net=/run/netns/"$NS_NODE" taskset -c 0 "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$dir/config.yaml" \
	--metrics-listen none >>"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
wait_for "grep -q 'agent running' '$AGENT_LOG'" 20 || { cat "$AGENT_LOG"; exit 1; }
kernel_count() { ip -n "$NS_NODE" -4 route show proto bgp | grep -c '^1[1-9]\.'; }
map_count() { node_podroute -j status | jq '.routes4.entries'; }
now() { date +%s.%N; }
echo '[' >"$dir/rows.json"
first=1
for n in $SIZES; do
	runs=3; [ "$n" -ge 100000 ] && runs=1
	for ((r = 1; r <= runs; r++)); do
		frr_vtysh "$NS_CLIENT" "configure terminal" "router bgp 65000" "neighbor 192.0.2.1 shutdown" >/dev/null
		ip -n "$NS_CLIENT" route flush proto static 2>/dev/null
		wait_for "[ \$(kernel_count) -eq 0 ]" 120 || { echo "node kept routes"; exit 1; }
		base=$(map_count)
		for ((i = 0; i < n; i++)); do
			echo "route add $((11 + i / 65536)).$((i / 256 % 256)).$((i % 256)).0/24 via 192.0.2.99 proto static"
		done >"$dir/batch"
		ip -n "$NS_CLIENT" -batch "$dir/batch" || exit 1
		t0=$(now)
		frr_vtysh "$NS_CLIENT" "configure terminal" "router bgp 65000" "no neighbor 192.0.2.1 shutdown" >/dev/null
		tk= tm=
		for ((w = 0; w < 1200; w++)); do
			[ -z "$tk" ] && [ "$(kernel_count)" -ge "$n" ] && tk=$(now)
			[ -z "$tm" ] && [ "$(map_count)" -ge $((base + n)) ] && tm=$(now)
			[ -n "$tk" ] && [ -n "$tm" ] && break
			sleep 0.05
		done
		[ -n "$tk" ] && [ -n "$tm" ] || { echo "N=$n: not converged (kernel $(kernel_count), maps $(map_count))"; exit 1; }
		k=$(echo "$tk - $t0" | bc) m=$(echo "$tm - $t0" | bc)
		printf 'N=%-6s run %d: kernel has them after %6.2f s, podroute maps after %6.2f s\n' "$n" "$r" "$k" "$m"
		[ $first -eq 1 ] || echo ',' >>"$dir/rows.json"
		echo "{\"routes\": $n, \"run\": $r, \"kernel_s\": $k, \"maps_s\": $m}" >>"$dir/rows.json"
		first=0
	done
done
echo ']' >>"$dir/rows.json"
mem=$(bpftool -j map show pinned "$PIN_DIR/pr_routes4" | jq '.bytes_memlock // 0')
cnt=$(map_count)
jq -n --slurpfile rows "$dir/rows.json" --argjson mem "$mem" --argjson cnt "$cnt" \
	--arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" --arg date "$(date -u +%FT%TZ)" \
	'{bench: "convergence", meta: {commit: $commit, kernel: $kernel, cpu: $cpu, date: $date,
	  method: "provider FRR redistributes N kernel routes; session opened at t0; polled every 50 ms"},
	  rows: $rows[0], pr_routes4_memlock_bytes: $mem, pr_routes4_entries: $cnt}' >"$res/convergence.json"
{
	echo "| routes | kernel has them (s) | podroute maps have them (s) | runs |"
	echo "|---:|---:|---:|---:|"
	jq -r '.rows | group_by(.routes)[] | "| \(.[0].routes) | \(map(.kernel_s) | sort | .[length/2|floor]) | \(map(.maps_s) | sort | .[length/2|floor]) | \(length) |"' "$res/convergence.json"
	echo
	echo "pr_routes4: $(jq '.pr_routes4_memlock_bytes' "$res/convergence.json") bytes memlock for $(jq '.pr_routes4_entries' "$res/convergence.json") entries."
} | tee "$res/convergence.md"
