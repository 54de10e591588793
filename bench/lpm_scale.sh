#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Lookup cost at scale (bench/lpm_scale.c): the kernel LPM trie (podroute's
# structure), per-length hash probes (the candidate) and a full
# bpf_fib_lookup in the kernel's own table holding the same IPv4 prefixes,
# in a namespace of its own (veth lpm0, gateway 192.0.2.2 with a
# permanent neighbour, routes added with ip -batch). Pinned to the last
# CPU. Writes bench/results/lpm_scale.{json,md,png}.
# Usage: lpm_scale.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
ns=prlpm-$$
res=bench/results
mkdir -p "$res"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add lpm0 type veth peer name lpm1
ip -n "$ns" link set lpm1 up
ip -n "$ns" addr add 192.0.2.1/24 dev lpm0
ip -n "$ns" link set lpm0 up
# bpf_fib_lookup answers only where forwarding is on (else FWD_DISABLED).
ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
ip -n "$ns" neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev lpm0 nud permanent
ifindex=$(ip netns exec "$ns" cat /sys/class/net/lpm0/ifindex)
cpu=$(( $(nproc) - 1 ))
ip netns exec "$ns" taskset -c "$cpu" build/bench/lpm_scale build/bench/lpm_scale.bpf.o --fib "$ifindex" \
	--json "$res/lpm_scale.raw.json" "$@" | tee "$res/lpm_scale.txt"
# Meta (commit, kernel, CPU) around the rows.
jq --arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	--arg date "$(date -u +%FT%TZ)" --argjson ncpu "$(nproc)" \
	'{bench, meta: {commit: $commit, kernel: $kernel, cpu: $cpu, ncpu: $ncpu, date: $date, loops, runs,
	  method: "in-kernel bpf_loop over 64k random destinations per BPF_PROG_TEST_RUN, noop loop of the same run subtracted, pinned to the last CPU"},
	  rows}' "$res/lpm_scale.raw.json" >"$res/lpm_scale.json"
rm -f "$res/lpm_scale.raw.json"
{
	echo "Lookup cost, ns per lookup: median [min-max] over $(jq .meta.runs "$res/lpm_scale.json") runs; ratio = variant / trie."
	echo "Machine: $(jq -r '.meta | "\(.cpu), \(.ncpu) CPUs, kernel \(.kernel), commit \(.commit), \(.date)"' "$res/lpm_scale.json")"
	echo
	echo "| family | set | prefixes | trie (podroute today) | hash per length | ratio | bpf_fib_lookup | ratio | bytes/prefix trie / hash |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	jq -r '.rows | group_by([.family, .set, .prefixes]) | sort_by(.[0].family, .[0].set, .[0].prefixes)[] |
	  (map({(.variant): .}) | add) as $v |
	  "| \($v.trie.family) | \($v.trie.set) | \($v.trie.prefixes) | \($v.trie.median|round) [\($v.trie.min|round)-\($v.trie.max|round)] | \($v.hash.median|round) [\($v.hash.min|round)-\($v.hash.max|round)] | \($v.hash.ratio_to_trie*100|round/100)x | " +
	  (if $v.fib then "\($v.fib.median|round) [\($v.fib.min|round)-\($v.fib.max|round)] | \($v.fib.ratio_to_trie*100|round/100)x" else "- | -" end) +
	  " | \($v.trie.bytes_per_prefix|round) / \($v.hash.bytes_per_prefix|round) |"' "$res/lpm_scale.json"
} >"$res/lpm_scale.md"
# Plot: hits, ns/lookup against prefixes (log x), one line per variant and family.
jq -r '.rows[] | select(.set == "hit") | "\(.family)-\(.variant) \(.prefixes) \(.median)"' "$res/lpm_scale.json" >"$res/lpm_scale.dat"
if command -v gnuplot >/dev/null; then
	series=$(cut -d' ' -f1 "$res/lpm_scale.dat" | sort -u)
	{
		echo "set terminal pngcairo size 900,540 noenhanced"
		echo "set output '$res/lpm_scale.png'"
		echo "set title 'Lookup cost, random hit destinations (median ns per lookup)'"
		echo "set logscale x; set xlabel 'installed prefixes'; set ylabel 'ns / lookup'; set key left top; set grid"
		printf "plot "
		first=1
		for s in $series; do
			[ $first -eq 1 ] || printf ", "
			printf "'< grep \"^%s \" %s' using 2:3 with linespoints title '%s'" "$s" "$res/lpm_scale.dat" "$s"
			first=0
		done
		echo
	} | gnuplot
fi
rm -f "$res/lpm_scale.dat"
echo "results: $res/lpm_scale.json, $res/lpm_scale.md${series:+, $res/lpm_scale.png}"
