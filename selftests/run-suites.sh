#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: run the named suites (unit prog net vm) one after the
# other through their make targets, time each, and end with the totals.
# A suite that cannot run here reports itself as skipped, never as passed.
set -u
cd "$(dirname "$0")/.."
tp=0 tf=0 ts=0 rc=0
summary=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for s in "$@"; do
	start=$(date +%s)
	# Shown as it runs and kept for the summary. (Not `tee /dev/stderr`:
	# that reopens stderr with O_TRUNC and wipes a redirected log.)
	make --no-print-directory "check-$s" 2>&1 | tee "$log"
	st=${PIPESTATUS[0]}
	out=$(cat "$log")
	secs=$(( $(date +%s) - start ))
	line=$(printf '%s\n' "$out" | grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		line="$s: 0 passed, 1 failed (no summary line; make exited $st)"
		tf=$((tf + 1)); rc=1
	else
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
		k=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
		tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + k))
		[ "$f" -eq 0 ] && [ "$st" -eq 0 ] || rc=1
	fi
	summary+=("$line (${secs}s)")
done
echo
echo "== summary =="
printf '%s\n' "${summary[@]}"
echo "total: $tp passed, $tf failed, $ts skipped"
exit $rc
