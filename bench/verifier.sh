#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Verifier headroom: every program of every BPF object the project builds
# (build/*.bpf.o, build/bench/*.bpf.o, build/vm/*.bpf.o) loaded by
# build/bench/verifier_stats on the host's kernel and, in the VM
# (selftests/vm/run.sh), on Debian's 6.12 and 6.1 cloud kernels: whether
# it loads, the instructions the verifier processed (its verified_insns;
# the limit is 1,000,000) and its state counts. The goal (issue 15) is every
# program at or below 25% of the limit on all three kernels.
#
# Writes bench/results/verifier.json and, through bench/report.sh,
# verifier.md. A kernel left out of --kernels keeps the results it has in
# the existing verifier.json (each kernel's entry says its commit and date),
# so the kernels can be measured one at a time.
#
#   bench/verifier.sh [--kernels "host 6.12 6.1"] [--logs DIR]
#
#   --kernels L  which kernels to measure (default all three)
#   --logs DIR   also write each program's level-2 verifier log on the host
#                to DIR (hundreds of MB for the larger programs)
#
# Exit status: 0 when every program loaded on every kernel measured and
# none is above the goal, 1 otherwise (the results are written either way),
# 2 when a kernel could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."

kernels="host 6.12 6.1" logs=
usage() { echo "usage: $0 [--kernels \"host 6.12 6.1\"] [--logs DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) [ $# -ge 2 ] || usage; kernels=$2; shift 2 ;;
	--logs) [ $# -ge 2 ] || usage; logs=$2; shift 2 ;;
	*) usage ;;
	esac
done
for k in $kernels; do
	case $k in host | 6.12 | 6.1) ;; *) echo "verifier: unknown kernel $k (host, 6.12 or 6.1)" >&2; exit 2 ;; esac
done
tool=build/bench/verifier_stats
[ -x "$tool" ] || { echo "verifier: $tool missing (make bench builds it)" >&2; exit 2; }
command -v jq >/dev/null || { echo "verifier: jq is not installed (make deps)" >&2; exit 2; }
objs=()
for o in build/*.bpf.o build/bench/*.bpf.o build/vm/*.bpf.o; do
	[ -f "$o" ] && objs+=("$o")
done
[ "${#objs[@]}" -gt 0 ] || { echo "verifier: no BPF object under build/ (run make bench)" >&2; exit 2; }

out=bench/results/verifier.json
limit=1000000 goal=0.25
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
tmp=$(mktemp -d /var/tmp/verifier.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# One kernel's run, as verifier_stats wrote it, tagged with what it was.
# verifier_stats exits 1 when a program was rejected: that is a result.
tag_run() { # TAG FILE
	jq --arg tag "$1" --arg commit "$commit" --arg date "$now" \
		'{tag: $tag, release: .kernel, xdp_meta: .xdp_meta, commit: $commit, date: $date, programs: .programs}' "$2"
}
: >"$tmp/runs.jsonl"
for k in $kernels; do
	if [ "$k" = host ]; then
		echo "verifier: host, $(uname -r)" >&2
		rc=0
		"$tool" ${logs:+-d "$logs"} "${objs[@]}" >"$tmp/host.json" || rc=$?
		[ "$rc" -le 1 ] || { echo "verifier: $tool failed on the host" >&2; exit 2; }
		tag_run host "$tmp/host.json" >>"$tmp/runs.jsonl"
		continue
	fi
	echo "verifier: VM, Debian's $k kernel" >&2
	mkdir -p "$tmp/$k"
	rc=0
	# Everything runs in the guest's own kernel; the guest sees this tree.
	PODROUTE_VM_KERNEL=$k selftests/vm/run.sh --timeout 1200 --out "$tmp/$k" -- \
		sh -c '"$0" "$@" >"$PODROUTE_VM_OUT/stats.json"' "$tool" "${objs[@]}" || rc=$?
	if [ "$rc" -gt 1 ] || ! jq -e .programs "$tmp/$k/stats.json" >/dev/null 2>&1; then
		echo "verifier: the $k VM run failed (exit $rc)" >&2
		exit 2
	fi
	tag_run "$k" "$tmp/$k/stats.json" >>"$tmp/runs.jsonl"
done

# Keep the kernels not measured this time from the previous results.
if [ -f "$out" ]; then
	jq -c --arg kept "$kernels" '.runs // [] | .[] | select(.tag as $t | $kept | split(" ") | index($t) | not)' \
		"$out" >>"$tmp/runs.jsonl"
fi
order='{"host": 0, "6.12": 1, "6.1": 2}'
jq -s --arg commit "$commit" --arg date "$now" --argjson limit "$limit" --argjson goal "$goal" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	--argjson ncpu "$(nproc)" --arg host "$(uname -r)" --argjson order "$order" '
	sort_by($order[.tag]) as $runs
	| [$runs[] | . as $r | .programs[] | {
		kernel: $r.tag, release: $r.release, object, program, section, insns, loaded,
		verified_insns, pct: (if .verified_insns then .verified_insns * 100 / $limit else null end),
		max_states_per_insn, total_states, peak_states, mark_read, verification_us,
		stack_depth, stats_line, error: (.error // null)}] as $rows
	| ($rows | group_by(.object + "/" + .program) | map({
		object: .[0].object, program: .[0].program,
		k: (map({key: .kernel, value: .}) | from_entries)})) as $pivot
	| {
	bench: "verifier",
	commit: $commit,
	date: $date,
	cpu: $cpu,
	ncpu: $ncpu,
	host_kernel: $host,
	insn_limit: $limit,
	target_ratio: $goal,
	kernels: ($runs | map("\(.tag): \(.release)\(if .xdp_meta == false then ", XDP without the hand-off to TC (the kernel refuses XDP metadata)" else "" end) (\(.commit), \(.date))") | join("; ")),
	programs: ($pivot | length),
	rejected: ([$rows[] | select(.loaded | not)] | length),
	above_goal: ([$rows[] | select(.verified_insns != null and .verified_insns > $limit * $goal)] | length),
	runs: $runs,
	results: $rows,
	pivot: $pivot,
	report: {
		title: "Verifier: instructions processed per program and kernel (limit \($limit), goal <= \($goal * 100)%)",
		notes: [
			"Every program of build/*.bpf.o, build/bench/*.bpf.o and build/vm/*.bpf.o loaded by build/bench/verifier_stats (libbpf, log level BPF_LOG_STATS); host = the machine'"'"'s own kernel, 6.12 and 6.1 = Debian'"'"'s cloud kernels in the VM (selftests/vm/run.sh).",
			"insns = verified_insns (bpf_prog_info; for a rejected program the count in its log): the instructions the verifier processed over every path, which the kernel caps at \($limit). % = of that limit; the goal is every program at or below \($goal * 100)%.",
			"max states = max_states_per_insn (the verifier stops storing states for an instruction past 64, and pruning suffers); a rejected program shows its error in the second table."
		],
		tables: [
			{title: "Instructions processed (% of the limit), per kernel",
			 source: "pivot",
			 columns: ([["object", ".object | sub(\"^build/\"; \"\")"], ["program", ".program"]] +
				[$runs[] | . as $r | ["\($r.tag) (\($r.release))",
					".k[\"\($r.tag)\"] | if . == null then null else \"\\(.verified_insns) (\\(.pct | r1)%)\" + (if .loaded then \"\" else \" REJECTED\" end) + \", max states \\(.max_states_per_insn)\" end"]])},
			{title: "Every program on every kernel",
			 source: "results",
			 columns: [["kernel", ".kernel + \" \" + .release"], ["object", ".object | sub(\"^build/\"; \"\")"],
				["program", ".program"], ["loaded", "if .loaded then \"yes\" else \"no\" end"],
				["insns processed", ".verified_insns"], ["% of limit", ".pct | r1"],
				["max_states_per_insn", ".max_states_per_insn"], ["total_states", ".total_states"],
				["peak_states", ".peak_states"], ["error", ".error"]]}
		]
	}}' "$tmp/runs.jsonl" >"$tmp/verifier.json"
mv "$tmp/verifier.json" "$out"
bench/report.sh verifier >&2
jq -r '"verifier: \(.programs) programs, \(.rejected) rejections, \(.above_goal) above \(.target_ratio * 100)% of the limit (\(.kernels))"' "$out"
jq -e '.rejected == 0 and .above_goal == 0' "$out" >/dev/null
