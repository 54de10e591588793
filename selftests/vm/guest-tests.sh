#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM: run each selftests/vm/tests/test_*.sh (or those named) as
# one kselftest-style test: exit 0 pass, 4 skip, anything else fail. TAP.
set -u
cd "$(dirname "$0")/tests"
tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(test_*.sh)
n=0 pass=0 fail=0 skip=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	start=$SECONDS
	out=$(timeout 300 bash "./$t" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	case $rc in
	0) pass=$((pass + 1)); echo "ok $n ${t%.sh} ($((SECONDS - start))s)" ;;
	4) skip=$((skip + 1)); echo "ok $n ${t%.sh} # SKIP $(printf '%s\n' "$out" | tail -1)" ;;
	*) fail=$((fail + 1)); echo "not ok $n ${t%.sh} (exit $rc)" ;;
	esac
done
echo "1..$n"
echo "vm: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
