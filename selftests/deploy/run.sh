#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Deploy suite (`make check-deploy`): the operator-facing artefacts with no
# cluster needed: manifests, docs, the config renderer's sidecar loop, the
# OCI image. Each selftests/deploy/test_*.sh (or those named) is one test:
# exit 0 pass, 4 skip (reason on its last line), anything else fail.
set -u
cd "$(dirname "$0")"
tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(test_*.sh)
pass=0 fail=0 skip=0 n=0
for t in "${tests[@]}"; do
	[ -e "$t" ] || continue
	n=$((n + 1))
	start=$(date +%s)
	out=$(timeout 900 bash "./$t" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "ok $n ${t%.sh} # ${secs}s" ;;
	4) skip=$((skip + 1)); echo "ok $n ${t%.sh} # SKIP $(printf '%s\n' "$out" | tail -1)" ;;
	*) fail=$((fail + 1)); echo "not ok $n ${t%.sh} (exit $rc, ${secs}s)" ;;
	esac
done
echo "1..$n"
echo "deploy: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
