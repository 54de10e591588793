#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The whole program-test suite on this kernel (Debian 6.12): every podroute
# program passes the verifier here and behaves exactly as on the host,
# including the VRF-table FIB lookup (BPF_FIB_LOOKUP_TBID, kernel >= 6.8)
# and the live-frame delivery tests.
set -u
cd "${PODROUTE_REPO:?run by selftests/vm/guest-tests.sh}" || exit 1
[ -x build/prog/test_progs ] || { echo "build/prog/test_progs missing (make check-prog builds it)"; exit 4; }
out=$(selftests/prog/run.sh build/prog/test_progs 2>&1); rc=$?
printf '%s\n' "$out" | grep -E '^not ok|^#|^prog:'
exit $rc
