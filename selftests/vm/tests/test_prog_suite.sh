#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The whole program-test suite on this kernel (Debian 6.12): every podroute
# program passes the verifier here and behaves exactly as on the host,
# including the VRF-table FIB lookup (BPF_FIB_LOOKUP_TBID, kernel >= 6.8)
# and the live-frame delivery tests. Then the XDP -> TC hand-off cases
# again as on a kernel that refuses XDP metadata (PODROUTE_NO_XDP_META=1):
# the programs built without the hand-off load here too, and pass those
# frames untouched (no-handoff).
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
[ -x build/prog/test_progs ] || { echo "build/prog/test_progs missing (make check-prog builds it)"; exit 4; }
out=$(selftests/prog/run.sh build/prog/test_progs 2>&1); rc=$?
printf '%s\n' "$out" | grep -E '^not ok|^#|^prog:'
nometa=$(PODROUTE_NO_XDP_META=1 selftests/prog/run.sh build/prog/test_progs "XDP hands over" 2>&1) || rc=1
defer=$(PODROUTE_NO_XDP_META=1 selftests/prog/run.sh build/prog/test_progs "defer" 2>&1) || rc=1
printf '%s\n%s\n' "$nometa" "$defer" | grep -E '^not ok|^#|^prog:' | sed 's/^/without XDP metadata: /'
# Each filter must have run its cases, not matched none.
for o in "$nometa" "$defer"; do
	printf '%s\n' "$o" | grep -qE '^prog: [1-9][0-9]* passed, 0 failed' || rc=1
done
exit $rc
