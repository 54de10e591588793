#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the cmocka unit test binaries given as arguments (built with ASan and
# UBSan) and end with one summary line: "N passed, N failed".
# A binary's cases are counted from cmocka's own "[  PASSED  ] N test(s)."
# and "[  FAILED  ] N test(s)" lines; a binary that crashes counts as one
# failure on top of whatever it reported.
set -u
passed=0 failed=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for bin in "$@"; do
	out=$("$bin" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $bin exited with status $rc without reporting a failed case"
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
