#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Network-namespace suite: run each selftests/net/test_*.sh (or the ones
# named as arguments) as one kselftest-style test: exit 0 = pass, 4 = skip
# (with the reason on its last output line), anything else = fail. Each
# test builds and tears down its own namespaces; this runner checks after
# each test that it left no namespace, no pinned BPF object and no process
# (FRR daemons, agents, the tap "VM") behind, and fails that test if it did.
set -u
cd "$(dirname "$0")"
tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(test_*.sh)
pass=0 fail=0 skip=0 n=0
# What a test may leave: namespaces, bpffs entries, processes of ours.
# maps.debug and progs.debug are bpffs's own (its preloaded iterators),
# and xdp is libxdp's directory, which it keeps once made: they appear when
# the first test mounts bpffs or uses libxdp on a fresh machine. What
# libxdp pins inside xdp/ is a test's, and counts.
leftovers() {
	ip netns list 2>/dev/null | awk '{print "netns " $1}'
	ls /sys/fs/bpf 2>/dev/null | grep -vxE 'maps\.debug|progs\.debug|xdp' | sed 's/^/pin /'
	ls /sys/fs/bpf/xdp 2>/dev/null | sed 's/^/pin xdp\//'
	pgrep -a -f '(^|/)(zebra|bgpd|bfdd|staticd|mgmtd|watchfrr|tapvm|taprelay|flowprobe|podroute) ' 2>/dev/null |
		sed 's/^[0-9]* /proc /'
}
before=$(ip netns list 2>/dev/null | wc -l)
for t in "${tests[@]}"; do
	[ -e "$t" ] || continue
	n=$((n + 1))
	pre=$(leftovers | sort)
	out=$(timeout 600 bash "./$t" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	left=$(comm -13 <(printf '%s\n' "$pre") <(leftovers | sort) | grep . )
	if [ -n "$left" ]; then
		printf '%s\n' "$left" | sed 's/^/# left behind: /'
		[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] && rc=99
	fi
	case $rc in
	0) pass=$((pass + 1)); echo "ok $n ${t%.sh}" ;;
	4) skip=$((skip + 1)); echo "ok $n ${t%.sh} # SKIP $(printf '%s\n' "$out" | tail -1)" ;;
	*) fail=$((fail + 1)); echo "not ok $n ${t%.sh} (exit $rc)" ;;
	esac
done
after=$(ip netns list 2>/dev/null | wc -l)
if [ "$after" -gt "$before" ]; then
	n=$((n + 1)); fail=$((fail + 1))
	echo "not ok $n no namespace left behind ($((after - before)) remain: $(ip netns list | tr '\n' ' '))"
fi
echo "1..$n"
echo "net: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
