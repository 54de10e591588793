#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM (run by run-tests.sh through run.sh): run each
# selftests/vm/tests/test_*.sh, or the ones named, from the repository's
# top folder, as one kselftest-style test each: exit 0 pass, 4 skip (the
# reason on its last output line), anything else fail. TAP on stdout. A
# test that leaves a network namespace, a device in the VM's own namespace
# (an OVS datapath, a veth), a pinned BPF object or an Open vSwitch daemon
# behind is named by the extra "nothing_left_behind" check, which fails.
# The summary line also goes to $PODROUTE_VM_OUT/summary, which the host
# reads: kernel messages on the console could break the line there.
set -u
PODROUTE_REPO=$(cd "$(dirname "$0")/../.." && pwd)
export PODROUTE_REPO
cd "$PODROUTE_REPO" || exit 1
per_test_timeout=${PODROUTE_VM_TEST_TIMEOUT:-360}
out=${PODROUTE_VM_OUT:-}

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do tests+=("selftests/vm/tests/${t%.sh}.sh"); done
else
	tests=(selftests/vm/tests/test_*.sh)
fi

leftovers() {
	ip netns list | awk '{print "netns " $1}'
	ip -o link show | awk -F': ' '$2 != "lo" {sub(/@.*/, "", $2); print "link " $2}'
	# Pinned objects; an empty folder (libxdp's xdp/ stays) holds nothing.
	find /sys/fs/bpf -mindepth 1 ! -type d | sed 's/^/pin /'
	for d in ovsdb-server ovs-vswitchd; do pgrep -x "$d" | sed "s/^/$d pid /"; done
}
state=$(mktemp -d) || exit 1
trap 'rm -rf "$state"' EXIT
leftovers | sort >"$state/now"
: >"$state/left"

# Debian 12's Open vSwitch 3.1.0 counts no CPU until the system has been
# up for 10 s (CLOCK_MONOTONIC; fixed upstream in 3.1.1 by fff04b838
# "ovs-thread: Fix cpus not read for the first 10s"): an ovs-vswitchd
# started earlier runs with 0 upcall handlers and loses every upcall. This
# VM reaches the tests in about 5 s, so a test that starts ovs-vswitchd
# waits for that clock first.
wait_for_ovs_clock() {
	local up _
	while read -r up _ </proc/uptime && [ "${up%.*}" -lt 11 ]; do sleep 0.2; done
}

n=0 pass=0 fail=0 skip=0
echo "TAP version 13"
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	if [ ! -f "$t" ]; then
		fail=$((fail + 1))
		echo "not ok $n $name # no such test"
		continue
	fi
	grep -q ovs-vswitchd "$t" && wait_for_ovs_clock
	start=$SECONDS
	output=$(timeout -k 10 "$per_test_timeout" bash "$t" 2>&1)
	rc=$?
	[ -n "$output" ] && printf '%s\n' "$output" | sed 's/^/# /'
	# What this test left behind (reported once, by the check below).
	mv "$state/now" "$state/before"
	leftovers | sort >"$state/now"
	comm -13 "$state/before" "$state/now" | sed "s/^/$name\t/" >>"$state/left"
	secs=$((SECONDS - start))
	case $rc in
	0) pass=$((pass + 1)); echo "ok $n $name # ${secs}s" ;;
	4) skip=$((skip + 1)); echo "ok $n $name # SKIP $(printf '%s\n' "$output" | tail -n 1)" ;;
	124 | 137) fail=$((fail + 1)); echo "not ok $n $name # timed out after ${per_test_timeout}s" ;;
	*) fail=$((fail + 1)); echo "not ok $n $name # exit $rc, ${secs}s" ;;
	esac
done

# Only what is still there at the end counts: a daemon a test told to exit
# may take a moment to go.
n=$((n + 1))
leftovers | sort >"$state/now"
left=$(awk -F'\t' 'NR == FNR {now[$0] = 1; next} ($2 in now) {print "# " $1 " left " $2}' \
	"$state/now" "$state/left")
if [ -z "$left" ]; then
	pass=$((pass + 1))
	echo "ok $n nothing_left_behind"
else
	fail=$((fail + 1))
	printf '%s\n' "$left"
	echo "not ok $n nothing_left_behind"
fi
echo "1..$n"
summary="vm: $pass passed, $fail failed, $skip skipped"
echo "$summary"
[ -n "$out" ] && echo "$summary" >"$out/summary"
[ "$fail" -eq 0 ]
