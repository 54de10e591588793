#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# podroute monitor (issue 17, item 2): sampled per-packet decision events.
#  - with no monitor, the datapath's lease (pr_monitor.until_ns) is 0: it
#    builds no event;
#  - pings to the pod prefix from the client, monitored with --reason
#    redirect: each event names in0, network 1, the client and the pod, ICMP,
#    the TTL as received (64), the target mp0 and the verdict redirect;
#  - pings to the node's own address (no prefix: the kernel's path) are
#    seen with --net 0 --addr as miss/pass, and none of network 1's;
#  - a spoofed source (inside the pod prefix, from the underlay) shows as
#    spoof/drop;
#  - the text form carries the same; --rate bounds what is sent;
#  - a monitor that ends clears the lease; bad options are usage errors.
set -u
. "$(dirname "$0")/lib/topo.sh"
agent_test_cleanup() { [ -n "${MON:-}" ] && kill "$MON" 2>/dev/null; }
agent_test_begin monitor
ip -n "$NS_CLIENT" route add 10.128.1.0/24 via 192.0.2.1
pod_config "$dir/config.yaml"
agent_start "$dir/config.yaml" || fail "agent did not start"
wait_for "routes_jq '.[] | select(.prefix == \"10.128.1.0/24\")'" || fail "the pod prefix is not in the maps"
lease() { bpftool -j map dump pinned "$PIN_DIR/pr_monitor" | jq '.[0].formatted.value.until_ns // .[0].value.until_ns'; }
[ "$(lease)" = 0 ] || fail "a lease without a monitor: $(lease)"

# monitor ARGS...: run it in the background into $dir/mon.out until its
# lease is on (the datapath samples from then on)
monitor() {
	nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" "$@" >"$dir/mon.out" 2>"$dir/mon.err" &
	MON=$!
	wait_for "[ \"\$(lease)\" != 0 ]" 5 || fail "the monitor did not take the lease: $(cat "$dir/mon.err")"
}
monitor -j monitor --reason redirect --count 5
in_ns "$NS_CLIENT" ping -c 8 -i 0.05 -W 2 10.128.1.5 >/dev/null || fail "client -> pod ping"
wait_for "! kill -0 $MON 2>/dev/null" 10 || fail "the monitor did not stop after 5 events: $(cat "$dir/mon.out")"
wait "$MON" || fail "monitor exited $?: $(cat "$dir/mon.err")"
[ "$(wc -l <"$dir/mon.out")" -eq 5 ] || fail "not 5 events: $(cat "$dir/mon.out")"
jq -e -s 'all(.[]; .interface == "in0" and .network == 1 and .reason == "redirect" and .verdict == "redirect"
	and .src == "192.0.2.2" and .dst == "10.128.1.5" and .proto == 1 and .ttl == 64 and .target == "mp0"
	and .family == 4 and .len >= 98)' "$dir/mon.out" >/dev/null ||
	fail "events do not describe the client's pings redirected to mp0: $(head -2 "$dir/mon.out")"
[ "$(lease)" = 0 ] || fail "the monitor left its lease on: $(lease)"

# The kernel's path, network 0, by address; network 1's redirects not shown.
monitor -j monitor --net 0 --addr 192.0.2.1/32 --count 3
in_ns "$NS_CLIENT" ping -c 3 -i 0.05 -W 2 10.128.1.5 >/dev/null
in_ns "$NS_CLIENT" ping -c 6 -i 0.05 -W 2 192.0.2.1 >/dev/null || fail "client -> node ping"
wait_for "! kill -0 $MON 2>/dev/null" 10 || fail "the network 0 monitor did not stop: $(cat "$dir/mon.out")"
jq -e -s 'length == 3 and all(.[]; .network == 0 and .reason == "miss" and .verdict == "pass"
	and .dst == "192.0.2.1" and (has("target") | not))' "$dir/mon.out" >/dev/null ||
	fail "network 0 / address filter: $(cat "$dir/mon.out")"

# A problem, as the operator would hunt it: a source inside the pod prefix
# arriving from the underlay is spoofed; monitor names the drop.
ip -n "$NS_CLIENT" addr add 10.128.1.77/32 dev eth0
monitor -j monitor --reason spoof --count 2
in_ns "$NS_CLIENT" ping -c 4 -i 0.05 -W 1 -I 10.128.1.77 10.128.1.5 >/dev/null 2>&1 &&
	fail "a spoofed ping got an answer"
wait_for "! kill -0 $MON 2>/dev/null" 10 || fail "the spoof monitor did not stop: $(cat "$dir/mon.out")"
jq -e -s 'length == 2 and all(.[]; .reason == "spoof" and .verdict == "drop" and .src == "10.128.1.77"
	and .network == 1)' "$dir/mon.out" >/dev/null || fail "spoofed source: $(cat "$dir/mon.out")"

# Text, one line per event.
monitor monitor --reason redirect --count 2
in_ns "$NS_CLIENT" ping -c 4 -i 0.05 -W 2 10.128.1.5 >/dev/null
wait_for "! kill -0 $MON 2>/dev/null" 10 || fail "the text monitor did not stop"
[ "$(grep -c ' in0 .* redirect .* 192.0.2.2:0 > 10.128.1.5:0 ttl 64 .* -> mp0$' "$dir/mon.out")" -eq 2 ] ||
	fail "text lines: $(cat "$dir/mon.out")"

# --rate 1: at most one event per CPU per second, however many packets.
monitor -j monitor --reason redirect --rate 1
in_ns "$NS_CLIENT" ping -c 20 -i 0.01 -W 2 10.128.1.5 >/dev/null
kill -INT "$MON"; wait "$MON"
n=$(wc -l <"$dir/mon.out")
[ "$n" -ge 1 ] && [ "$n" -le "$(( $(nproc) * 2 ))" ] || fail "--rate 1: $n events for 20 packets in 0.2 s"
[ "$(lease)" = 0 ] || fail "SIGINT left the lease on"

for bad in "--reason nope" "--sample 0" "--net 999" "--addr 10.0.0.1/8" "--count x"; do
	# shellcheck disable=SC2086 # split on purpose
	node_podroute monitor $bad >/dev/null 2>&1; rc=$?
	[ "$rc" -eq 2 ] || fail "monitor $bad: exit $rc, want 2"
done
echo "monitor: 5 redirect events with addresses, TTL 64 and target mp0; network 0 by address (miss, pass); a spoofed source as spoof/drop; text lines; --rate 1 gave $n events for 20 packets; lease cleared on exit and on SIGINT; bad options exit 2"
