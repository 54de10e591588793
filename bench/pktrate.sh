#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Packet rate, podroute's XDP fast path vs the kernel's IP forwarding (the
# slow path), measured the same way at the receiver, back to back in one
# run. Topology: selftests/net/lib/topo.sh (client -> node in0 -> mp0 ->
# pod). The client sends routable UDP frames with bench/pktgen (txpkt:
# AF_PACKET, qdisc bypassed, sendmmsg; PKTGEN_MODE=tx selects the live-
# frames sender, which is slow on veth: see pktgen.c); the pod's veth
# counts and drops them in XDP. Sender and path share the sender's CPU
# (pinned to the last CPU), so the sender's cost is in both figures.
#
#   pktrate.sh [--quick] [--json FILE]
#     default: 64 and 1500-byte frames, 5 runs each, 400,000 frames a run
#     --quick: 64-byte frames, 2 runs of 200,000 (for the demo)
set -u
cd "$(dirname "$0")/.."
. selftests/net/lib/topo.sh
TOPO_ID=bench-rate NS_CLIENT=prc-brt NS_NODE=prn-brt NS_POD=prp-brt PIN_DIR=/sys/fs/bpf/podroute-bench-rate
SIZES="64 1500" RUNS=5 COUNT=400000 FLOWS=16 JSON=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) SIZES=64 RUNS=2 COUNT=200000 ;;
	--json) JSON=$2; shift ;;
	*) echo "usage: pktrate.sh [--quick] [--json FILE]"; exit 2 ;;
	esac
	shift
done
G=$PWD/build/bench/pktgen
export PKTGEN_OBJ=$PWD/build/bench/pktgen.bpf.o
[ -x "$G" ] || { echo "build first: make bench"; exit 1; }
CPU=$(( $(nproc) - 1 ))
rxpin=/sys/fs/bpf/podroute-bench-rx-$$
topo_cleanup
topo_create || exit 1
trap 'rm -f $rxpin; topo_cleanup' EXIT
in_ns "$NS_NODE" ethtool -K in0 gro on >/dev/null
in_ns "$NS_NODE" ping -c1 -W2 10.128.1.5 >/dev/null || { echo "pod unreachable"; exit 1; }
nsenter --net=/run/netns/"$NS_POD" "$G" rx-attach eth0 "$rxpin" || exit 1
in0_mac=$(ip -n "$NS_NODE" -br link show in0 | awk '{print $3}')

# One run: frames sent, frames received, seconds -> received packets/s.
run() {
	local size=$1 before after out secs
	before=$("$G" rx-read "$rxpin")
	out=$(nsenter --net=/run/netns/"$NS_CLIENT" taskset -c "$CPU" "$G" "${PKTGEN_MODE:-txpkt}" eth0 "$in0_mac" 192.0.2.2 10.128.1.5 "$size" "$COUNT" "$FLOWS") || return 1
	secs=${out% *}
	after=$("$G" rx-read "$rxpin")
	echo "$(( after - before )) $secs" | awk '{printf "%d %.0f\n", $1, $1 / $2}'
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
results=()
for size in $SIZES; do
	fast=() slow=() fastrx=0 slowrx=0
	for ((r = 0; r < RUNS; r++)); do
		# Slow path, then the fast path, back to back in every round.
		node_podroute detach >/dev/null 2>&1
		read -r got pps < <(run "$size") || exit 1
		slow+=("$pps"); slowrx=$((slowrx + got))
		topo_attach >/dev/null 2>&1 || { echo "attach failed"; exit 1; }
		read -r got pps < <(run "$size") || exit 1
		fast+=("$pps"); fastrx=$((fastrx + got))
	done
	node_podroute detach >/dev/null 2>&1
	fm=$(printf '%s\n' "${fast[@]}" | median) sm=$(printf '%s\n' "${slow[@]}" | median)
	printf '%5d-byte frames: fast path %9d pps  slow path %9d pps  ratio %.2fx  (medians of %d; runs fast: %s; slow: %s; received %d/%d and %d/%d)\n' \
		"$size" "$fm" "$sm" "$(echo "$fm / $sm" | bc -l)" "$RUNS" "${fast[*]}" "${slow[*]}" \
		"$fastrx" $((RUNS * COUNT)) "$slowrx" $((RUNS * COUNT))
	results+=("{\"size\": $size, \"fast_pps\": [$(IFS=,; echo "${fast[*]}")], \"slow_pps\": [$(IFS=,; echo "${slow[*]}")], \"fast_median\": $fm, \"slow_median\": $sm}")
done
[ -n "$JSON" ] && printf '{"runs": %d, "frames_per_run": %d, "flows": %d, "results": [%s]}\n' \
	"$RUNS" "$COUNT" "$FLOWS" "$(IFS=,; echo "${results[*]}")" >"$JSON"
exit 0
