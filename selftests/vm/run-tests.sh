#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check-vm`: boot one VM (Debian's 6.12 cloud kernel) and run the
# guest suite in it. Ends with "vm: N passed, N failed, N skipped"; a VM
# that cannot boot is a failure, never a pass.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "vm: 0 passed, 0 failed, 1 skipped (needs root)"
	exit 0
fi
out=$("$here/run.sh" --timeout 900 -- selftests/vm/guest-tests.sh "$@" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^vm: [0-9]* passed'
summary=$(printf '%s\n' "$out" | grep '^vm: [0-9]* passed' | tail -1)
if [ -z "$summary" ]; then
	echo "vm: 0 passed, 1 failed, 0 skipped (the VM did not run the suite: run.sh exit $rc)"
	exit 1
fi
echo "$summary"
[ "$rc" -eq 0 ]
