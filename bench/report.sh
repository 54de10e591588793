#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Render one benchmark's results: reads bench/results/NAME.json and writes
# bench/results/NAME.md (the machine, notes and tables) and NAME.png (a
# gnuplot chart). Shared by every benchmark: the JSON says what to render
# in its "report" object, so a new bench needs no change here:
#   "report": {
#     "title": "...", "notes": ["...", ...],
#     "tables": [{"title": "...", "source": "<top-level array>",
#                 "filter": "<jq boolean on a row>" (optional),
#                 "columns": [["<heading>", "<jq expression on a row>"], ...]}],
#     "plot": {"source": "...", "filter": "...", "panel": "<jq>" (optional,
#              one chart per value), "series": "<jq>", "x": "<jq>", "y": "<jq>",
#              "ylow": "<jq>", "yhigh": "<jq>" (optional error bars),
#              "logx": bool, "logy": bool, "xlabel": "...", "ylabel": "..."}
#   }
# Expressions may use these helpers besides jq's own: r0, r1, r2 (round
# a number to 0, 1, 2 decimals; anything else passes), spread(m; lo; hi)
# ("m [lo–hi]", one decimal), span(lo; hi) ("lo–hi"). A null cell shows "-".
# Every top-level string, number or boolean (commit, kernel, cpu, date,
# runs ...) goes into the machine table. Needs jq and gnuplot (gnuplot-nox).
#
# Usage: bench/report.sh [-d DIR] NAME   (DIR defaults to bench/results)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=bench/results
usage() { echo "usage: $0 [-d DIR] NAME  (renders DIR/NAME.json into DIR/NAME.md and DIR/NAME.png)" >&2; exit 2; }
while getopts "d:h" opt; do
	case $opt in
	d) dir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
name=$1
in=$dir/$name.json
md=$dir/$name.md
png=$dir/$name.png
for tool in jq gnuplot; do
	command -v "$tool" >/dev/null || { echo "report: $tool is not installed (make deps)" >&2; exit 1; }
done
[ -r "$in" ] || { echo "report: $in: no such results file (run the benchmark first)" >&2; exit 1; }
jq -e '.report | type == "object"' "$in" >/dev/null ||
	{ echo "report: $in has no \"report\" object saying what to render" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

helpers='def rn($d): if type == "number" then (. * $d | round) / $d | if . == 0 then 0 else . end else . end;
def r0: rn(1); def r1: rn(10); def r2: rn(100);
def span(lo; hi): "\(lo | r1)–\(hi | r1)";
def spread(m; lo; hi): "\(m | r1) [\(lo | r1)–\(hi | r1)]";'

# A markdown table from a source array, a filter and [heading, expression] columns.
table() { # $1: index into .report.tables
	local t=".report.tables[$1]" src filter heads exprs
	src=$(jq -r "$t.source" "$in")
	filter=$(jq -r "$t.filter // \"true\"" "$in")
	heads=$(jq -r "[$t.columns[][0]] | join(\" | \")" "$in")
	exprs=$(jq -r "[$t.columns[][1] | \"(\" + . + \")\"] | join(\", \")" "$in")
	echo "### $(jq -r "$t.title" "$in")"
	echo
	echo "| $heads |"
	echo "|$(jq -r "[$t.columns[] | \"---\"] | join(\"|\")" "$in")|"
	jq -r --arg src "$src" "$helpers .[\$src][] | select($filter) | [$exprs] | map(if . == null then \"-\" else tostring end) | \"| \" + join(\" | \") + \" |\"" "$in"
	echo
}

{
	echo "# $(jq -r '.report.title' "$in")"
	echo
	echo "| | |"
	echo "|---|---|"
	jq -r 'to_entries[] | select(.value | type == "string" or type == "number" or type == "boolean") | "| \(.key) | \(.value) |"' "$in"
	echo
	jq -r '.report.notes // [] | .[] | "- " + .' "$in"
	echo
	n=$(jq '.report.tables // [] | length' "$in")
	for ((i = 0; i < n; i++)); do
		table "$i"
	done
	if jq -e '.report.plot' "$in" >/dev/null; then
		echo "![$name]($name.png)"
	fi
} >"$md"

if jq -e '.report.plot' "$in" >/dev/null; then
	p=.report.plot
	src=$(jq -r "$p.source" "$in")
	filter=$(jq -r "$p.filter // \"true\"" "$in")
	panel=$(jq -r "$p.panel // \"\\\"\\\"\"" "$in")
	series=$(jq -r "$p.series" "$in")
	x=$(jq -r "$p.x" "$in")
	y=$(jq -r "$p.y" "$in")
	ylow=$(jq -r "$p.ylow // $p.y" "$in")
	yhigh=$(jq -r "$p.yhigh // $p.y" "$in")
	logy=$(jq -r "$p.logy // false" "$in")
	# One row per point: panel, series, x, y, ylow, yhigh. On a log y axis
	# points at or below zero (a lookup cheaper than its floor, noise)
	# cannot be drawn: they are left out, and error bars are cut at 0.1.
	jq -r --arg src "$src" --argjson logy "$logy" \
		"$helpers .[\$src][] | select($filter) | [($panel), ($series), ($x), ($y), ($ylow), ($yhigh)]
		 | select(.[3] != null and (($logy | not) or .[3] > 0))
		 | if \$logy then .[4] = ([.[4], 0.1] | max) else . end | @tsv" "$in" >"$tmp/points"
	mapfile -t panels < <(cut -f1 "$tmp/points" | awk '!seen[$0]++')
	mapfile -t serieslist < <(cut -f2 "$tmp/points" | awk '!seen[$0]++')
	npan=${#panels[@]}
	cols=$((npan > 1 ? 2 : 1))
	rows=$(((npan + cols - 1) / cols))
	{
		echo "set terminal pngcairo noenhanced size $((cols * 640)),$((rows * 500 + 40)) font 'sans,9'"
		echo "set output '$png'"
		echo "set grid"
		echo "set key below font 'sans,8'"
		echo "set format x '%g'"
		echo "set xlabel '$(jq -r "$p.xlabel // \"\"" "$in")'"
		echo "set ylabel '$(jq -r "$p.ylabel // \"\"" "$in")'"
		[ "$(jq -r "$p.logx // false" "$in")" = true ] && echo "set logscale x"
		[ "$logy" = true ] && echo "set logscale y"
		echo "set multiplot layout $rows,$cols title '$(jq -r '.report.title' "$in" | tr -d "'")'"
		# Titles in double quotes: labels hold single ones ((d'), (d'')).
		for ((i = 0; i < npan; i++)); do
			echo "set title \"${panels[$i]}\""
			plots=()
			for ((s = 0; s < ${#serieslist[@]}; s++)); do
				f=$tmp/d.$i.$s
				awk -F'\t' -v pn="${panels[$i]}" -v sn="${serieslist[$s]}" \
					'$1 == pn && $2 == sn { print $3, $4, $5, $6 }' "$tmp/points" | sort -g >"$f"
				# The same series keeps its colour in every panel.
				[ -s "$f" ] && plots+=("'$f' using 1:2:3:4 with yerrorlines lt $((s + 1)) title \"${serieslist[$s]}\"")
			done
			if [ ${#plots[@]} -gt 0 ]; then
				(IFS=,; echo "plot ${plots[*]}")
			fi
		done
		echo "unset multiplot"
	} >"$tmp/plot.gp"
	gnuplot "$tmp/plot.gp"
fi
echo "report: wrote $md${png:+ and $png}"
