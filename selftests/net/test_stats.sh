#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `podroute stats` with rates and only the networks that exist: with pings
# from the client to the pod fast-pathed (network 1, reason redirect),
# `stats --interval 0.5 --count 2` prints the totals, then per-second rates
# whose redirect rate for network 1 is above 0 (and near the ping rate);
# once the pings stop, the rate is 0 while the total stays. After `net del 1`
# the default listing leaves network 1 out (its counters are still in the
# map), and --all and --net 1 still show it. Text and -j alike.
set -u
. "$(dirname "$0")/lib/topo.sh"
NS_CLIENT=st-c-$TOPO_ID NS_NODE=st-n-$TOPO_ID NS_POD=st-p-$TOPO_ID NS_VM=st-v-$TOPO_ID
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
topo_create || fail "topology"
ping_pid=
trap '[ -n "$ping_pid" ] && kill "$ping_pid" 2>/dev/null; topo_cleanup' EXIT
topo_attach >/dev/null 2>&1 || fail "attach"
ip -n "$NS_CLIENT" route add 10.128.1.0/24 via 192.0.2.1 || fail "client route"
in_ns "$NS_CLIENT" ping -c1 -W2 10.128.1.5 >/dev/null || fail "pod unreachable"
wait_for '[ "$(counter 1 redirect)" -gt 0 ]' 5 || fail "the ping was not fast-pathed: $(node_podroute stats)"

# The redirect row of network 1 in each JSON line: "total rate".
redirect_rows() {
	jq -r '.[] | select(.net == 1 and .reason == "redirect") | "\(.packets) \(.packets_per_second // "-")"'
}

# 100 pings a second for longer than the readings take.
ip netns exec "$NS_CLIENT" ping -q -i 0.01 -w 10 10.128.1.5 >/dev/null 2>&1 &
ping_pid=$!
out=$(node_podroute -j stats --interval 0.5 --count 2) || fail "stats --interval"
[ "$(wc -l <<<"$out")" -eq 3 ] || fail "expected 3 JSON lines (totals and 2 intervals): $out"
rows=$(redirect_rows <<<"$out")
[ "$(sed -n 1p <<<"$rows" | cut -d' ' -f2)" = - ] || fail "the first reading has a rate: $rows"
rate=$(sed -n 3p <<<"$rows" | cut -d' ' -f2)
[ "$rate" -ge 10 ] && [ "$rate" -le 200 ] || fail "redirect rate while pinging 100/s: $rate ($rows)"
text=$(node_podroute stats --interval 0.5 --count 1) || fail "stats --interval (text)"
grep -q "packets/s" <<<"$text" || fail "text has no rate block: $text"
trate=$(awk '/packets\/s/ { on = 1; next } on && $1 == 1 && $2 == "redirect" { print $3 }' <<<"$text")
[ "${trate:-0}" -gt 0 ] || fail "text redirect rate while pinging: $text"
echo "pinging: redirect $rate packets/s (JSON), $trate (text)"
kill "$ping_pid"; wait "$ping_pid" 2>/dev/null; ping_pid=

out=$(node_podroute -j stats --interval 0.5 --count 1) || fail "stats after the pings"
rows=$(redirect_rows <<<"$out")
read -r total rate <<<"$(sed -n 2p <<<"$rows")"
[ "$rate" = 0 ] || fail "redirect rate after the pings stopped: $rate"
[ "$total" -gt 0 ] || fail "total lost: $rows"
echo "stopped: redirect 0 packets/s, total $total"

node_podroute net del 1 >/dev/null || fail "net del 1"
node_podroute -j stats | jq -e 'all(.[]; .net != 1)' >/dev/null || fail "deleted network 1 listed: $(node_podroute stats)"
node_podroute stats | awk '$1 == 1' | grep -q . && fail "deleted network 1 in the text listing"
node_podroute -j stats --all | jq -e 'any(.[]; .net == 1 and .reason == "redirect" and .packets > 0)' >/dev/null ||
	fail "--all does not show network 1's counters"
node_podroute -j stats --all | jq -e 'any(.[]; .net == 200)' >/dev/null || fail "--all does not show every slot"
node_podroute -j stats --net 1 | jq -e 'length > 0' >/dev/null || fail "--net 1 shows nothing"
out=$(node_podroute stats --count 2 2>&1) && fail "--count without --interval accepted"
grep -q "needs --interval" <<<"$out" || fail "--count without --interval: $out"
out=$(node_podroute stats --interval 0 2>&1) && fail "--interval 0 accepted"
echo "deleted network left out by default, shown by --all and --net"
