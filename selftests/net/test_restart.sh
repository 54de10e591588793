#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A restart adopts what the last agent left (issue 13, item 9): the pinned
# programs of the same object are taken as they are, not loaded and
# verified again (most of a start's time), so the attached programs stay
# the same ones and the first reconcile finds nothing to write. Programs
# of another build, or ones that use a map no longer pinned, are not
# adopted: the agent loads its own and replaces them.
# Timing is the bench's (bench/restart.sh), not asserted here.
set -u
. "$(dirname "$0")/lib/topo.sh"
agent_test_begin restart
cfg=$dir/config.yaml
pod_config "$cfg" "  ovn: [mp0]"
ip -n "$NS_NODE" route add 10.244.0.0/16 via 192.0.2.2 dev in0 proto bgp
ip -n "$NS_CLIENT" route add 10.128.1.0/24 via 192.0.2.1

# The TC programs' ids on in0 and mp0, as the kernel has them.
tc_ids() {
	for d in in0 mp0; do
		tc -n "$NS_NODE" filter show dev $d ingress | sed -n 's/.* id \([0-9]*\) .*/\1/p'
	done | tr '\n' ' '
}
# The log of the latest start only.
start_line=0
this_start() { tail -n +$((start_line + 1)) "$AGENT_LOG"; }
restart() {
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
	[ -z "${1:-}" ] || "$1"
	start_line=$(wc -l <"$AGENT_LOG")
	agent_start "$cfg" || fail "agent did not restart"
}
first_reconcile() { this_start | grep -m1 'reconcile:'; }

agent_start "$cfg" || fail "agent did not start"
this_start | grep -q "loaded and verified" || fail "the first start did not load the object"
wait_for "routes_jq '.[] | select(.prefix == \"10.244.0.0/16\")'" 10 || fail "the learned route is not in the maps"
id0=$(tc_ids)
[ "$(echo $id0 | wc -w)" -eq 2 ] || fail "expected a TC program on in0 and mp0, got: $id0"

# 1. Same build: adopted, the attached programs untouched, nothing to write.
restart
this_start | grep -q "adopted the pinned programs" || fail "the restart did not adopt the pinned programs"
this_start | grep -q "loaded and verified" && fail "the restart loaded the object again"
[ "$(tc_ids)" = "$id0" ] || fail "the attached programs changed on a restart: $id0 -> $(tc_ids)"
first_reconcile | grep -q ' 0 written, 0 deleted' ||
	fail "the first reconcile after an adopting restart wrote: $(first_reconcile)"
ip -n "$NS_NODE" route add 10.245.0.0/16 via 192.0.2.2 dev in0 proto bgp
wait_for "routes_jq '.[] | select(.prefix == \"10.245.0.0/16\")'" 10 || fail "the restarted agent does not follow routes"

# 2. Pins of another build (an upgrade): loaded, pinned under this build's
#    name, the other build's pins removed, the attachments replaced.
other_build() {
	for p in "$PIN_DIR"/prog_*; do
		mv "$p" "$PIN_DIR/prog_0123456789abcdef_${p##*_[0-9a-f]*_}"
	done
}
restart other_build
this_start | grep -q "loaded and verified" || fail "another build's pinned programs were adopted"
ls "$PIN_DIR"/prog_0123456789abcdef_* >/dev/null 2>&1 && fail "another build's program pins were left"
[ "$(ls "$PIN_DIR"/prog_* | wc -l)" -eq 4 ] || fail "expected 4 pinned programs: $(ls "$PIN_DIR")"
id1=$(tc_ids)
[ "$id1" != "$id0" ] || fail "the attached programs were not replaced by this build's"

# 3. A map made anew under the same name (its programs use the old one):
#    not adopted, or the datapath would count into a map nobody reads.
new_stats_map() {
	rm "$PIN_DIR/pr_stats"
	bpftool map create "$PIN_DIR/pr_stats" type percpu_array key 4 value "$STATS_VALUE" entries "$STATS_ENTRIES" name pr_stats ||
		fail "bpftool map create"
}
read -r STATS_VALUE STATS_ENTRIES < <(bpftool -j map show pinned "$PIN_DIR/pr_stats" | jq -r '"\(.bytes_value) \(.max_entries)"')
restart new_stats_map
this_start | grep -q "no longer pinned" || fail "a program using an unpinned map was adopted: $(this_start | head -3)"
[ "$(tc_ids)" != "$id1" ] || fail "the programs using the old pr_stats stayed attached"
r0=$(counter 1 redirect)
in_ns "$NS_CLIENT" ping -c 3 -i 0.1 -W 1 10.128.1.5 >/dev/null 2>&1 || fail "client -> pod after the restart"
[ $(($(counter 1 redirect) - r0)) -ge 3 ] || fail "the new pr_stats does not count the fast path"

# 4. detach --unpin removes the program pins too (and so the folder).
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
node_podroute detach --unpin || fail "detach --unpin"
[ ! -e "$PIN_DIR" ] || fail "pins left after detach --unpin: $(ls "$PIN_DIR")"
echo "restart: pinned programs adopted (same TC ids, first reconcile 0 written); another build's and a stale map's programs replaced; unpin removes them"
