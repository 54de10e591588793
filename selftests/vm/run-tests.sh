#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check-vm`: the tests that need a kernel the host does not have. It
# builds nothing of podroute's (make does that first); it fetches the
# kernel if needed (kernel.sh), compiles the suite's own test-only BPF
# programs (selftests/vm/*.bpf.c) into build/vm/ on the host, boots ONE VM
# that runs guest-tests.sh (TAP, one line per test) with build/vm shared
# read-write at /mnt/out, and ends with "vm: N passed, N failed, N
# skipped". A VM that cannot boot or run the suite is a failure, never a
# pass. The console is kept in build/vm/console.log.
#
#   run-tests.sh [test_name ...]      (default: every tests/test_*.sh)
#
#   PODROUTE_VM_TIMEOUT       seconds before the whole VM is killed (1500: the suite takes about 12-14 min under TCG on 2 cores, more on a busy machine)
#   PODROUTE_VM_TEST_TIMEOUT  seconds per test inside the VM (360)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1
out=$repo/${BUILD:-build}/vm
t0=$SECONDS

finish() { # PASSED FAILED SKIPPED [REASON]
	echo "# check-vm took $((SECONDS - t0)) s"
	echo "vm: $1 passed, $2 failed, $3 skipped${4:+ ($4)}"
	[ "$2" -eq 0 ]
	exit
}
if [ "$(id -u)" -ne 0 ]; then
	finish 0 0 1 "needs root"
fi
release=$("$here/kernel.sh") || finish 0 1 0 "no kernel: kernel.sh failed"
echo "# kernel $release"

# The suite's own BPF programs are built on the host by make (the guest
# sees the host's files read-only, and clang under emulation is slow).
bpf_failed=0
for src in "$here"/*.bpf.c; do
	[ -f "$out/$(basename "$src" .c).o" ] || { echo "# missing $out/$(basename "$src" .c).o (make check-vm builds it)"; bpf_failed=$((bpf_failed + 1)); }
done
rm -f "$out/summary"

# Run the guest suite; the guest's own summary line becomes a comment, the
# host's verdict below is the one that counts.
"$here/run.sh" --timeout "${PODROUTE_VM_TIMEOUT:-1500}" --out "$out" -- \
	env PODROUTE_VM_TEST_TIMEOUT="${PODROUTE_VM_TEST_TIMEOUT:-360}" \
	selftests/vm/guest-tests.sh "$@" 2>&1 |
	tee "$out/console.log" | sed -u 's/^\(vm: [0-9]* passed\)/# guest: \1/'
rc=${PIPESTATUS[0]}

summary=$(cat "$out/summary" 2>/dev/null)
[ -n "$summary" ] || summary=$(grep -a '^vm: [0-9]* passed, [0-9]* failed' "$out/console.log" | tail -n 1)
if [ -z "$summary" ]; then
	case $rc in
	124) why="the VM timed out" ;;
	125) why="the VM did not boot or stopped early" ;;
	*) why="run.sh exit $rc" ;;
	esac
	finish 0 $((1 + bpf_failed)) 0 "the suite did not run: $why; see $out/console.log"
fi
read -r p f s < <(sed -E 's/^vm: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$summary")
f=$((f + bpf_failed))
# The guest said "all passed" but the command failed: count that too.
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	finish "$p" 1 "$s" "guest suite exited $rc"
fi
finish "$p" "$f" "$s"
