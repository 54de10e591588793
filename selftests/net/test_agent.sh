#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The agent keeps the maps equal to the kernel's BGP routes and the config:
#  - routes added with `ip route ... proto bgp` (single next hop, multipath,
#    kernel nexthop objects) appear in the maps, change, and disappear;
#  - `ip nexthop replace` is followed in both nexthop_compat_mode settings
#    (in mode 0 the kernel sends no route message at all);
#  - routes of other protocols are refused; a neighbour change updates the
#    next hop's MAC;
#  - a config edit applies; an invalid edit is rejected with file:line:col
#    and changes nothing;
#  - kill -9 of the agent while traffic flows through the fast path loses no
#    packet, and the restarted agent adopts the pins without writing anything.
set -u
. "$(dirname "$0")/lib/topo.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 4; }
fail() { echo "FAIL: $*"; [ -n "${AGENT_LOG:-}" ] && tail -20 "$AGENT_LOG" | sed 's/^/  agent: /'; exit 1; }
topo_create || fail "topology"
dir=$(mktemp -d /run/prtest-agent.XXXXXX)
AGENT_LOG=$dir/agent.log
trap '[ -n "${AGENT_PID:-}" ] && kill -9 "$AGENT_PID" 2>/dev/null; topo_cleanup; rm -rf "$dir"' EXIT
cfg=$dir/config.yaml
write_cfg() {
	cat >"$cfg.new" <<YAML
interfaces:
  underlay: [in0]
networks:
  - name: default
    prefixes: [10.128.1.0/24$1]
    target:
      port: mp0
      neighbour: 10.128.1.5
YAML
	mv "$cfg.new" "$cfg"
}
write_cfg ""
in_ns "$NS_NODE" ping -c1 -W2 10.128.1.5 >/dev/null || fail "pod unreachable"
agent_start "$cfg" || fail "agent did not start"
wait_for "routes_jq '.[] | select(.prefix == \"10.128.1.0/24\" and .action == \"redirect\")'" ||
	fail "the advertised prefix did not reach the map"

ipn() { ip -n "$NS_NODE" "$@"; }
# Single path, then a change of gateway, then delete.
ipn route add 10.200.0.0/16 via 192.0.2.12 dev in0 proto bgp
wait_for "routes_jq '.[] | select(.prefix == \"10.200.0.0/16\" and .action == \"nexthop\" and (.nexthops | length) == 1)'" ||
	fail "single-path BGP route not in the map"
# A neighbour entry for the gateway: the next hop becomes resolved with its MAC.
ipn neigh replace 192.0.2.12 lladdr 02:00:00:00:aa:02 dev in0 nud permanent
wait_for "routes_jq '.[] | select(.prefix == \"10.200.0.0/16\") | .nexthops[0] | .resolved and .mac == \"02:00:00:00:aa:02\"'" ||
	fail "neighbour MAC not followed"
ipn neigh replace 192.0.2.13 lladdr 02:00:00:00:aa:03 dev in0 nud permanent
ipn route replace 10.200.0.0/16 via 192.0.2.13 dev in0 proto bgp
wait_for "routes_jq '.[] | select(.prefix == \"10.200.0.0/16\") | .nexthops[0].mac == \"02:00:00:00:aa:03\"'" ||
	fail "gateway change not followed"
ipn route del 10.200.0.0/16
wait_for "! routes_jq '.[] | select(.prefix == \"10.200.0.0/16\")'" || fail "deleted route still in the map"

# Multipath (ECMP) growth 1 -> 2.
ipn route add 10.201.0.0/16 proto bgp nexthop via 192.0.2.12 dev in0 nexthop via 192.0.2.13 dev in0
wait_for "routes_jq '.[] | select(.prefix == \"10.201.0.0/16\") | (.nexthops | length) == 2'" ||
	fail "multipath route not in the map with 2 next hops"

# Nexthop objects, in both compat modes.
for mode in 1 0; do
	in_ns "$NS_NODE" sysctl -qw net.ipv4.nexthop_compat_mode=$mode
	ipn nexthop replace id 10 via 192.0.2.12 dev in0
	ipn route replace 10.202.0.0/16 nhid 10 proto bgp
	wait_for "routes_jq '.[] | select(.prefix == \"10.202.0.0/16\") | .nexthops[0].mac == \"02:00:00:00:aa:02\"'" ||
		fail "nhid route (compat mode $mode) not in the map"
	ipn nexthop replace id 10 via 192.0.2.13 dev in0
	wait_for "routes_jq '.[] | select(.prefix == \"10.202.0.0/16\") | .nexthops[0].mac == \"02:00:00:00:aa:03\"'" ||
		fail "ip nexthop replace not followed in compat mode $mode"
	ipn route del 10.202.0.0/16
	wait_for "! routes_jq '.[] | select(.prefix == \"10.202.0.0/16\")'" || fail "nhid route not removed"
done

# Other protocols are not ours.
ipn route add 10.203.0.0/16 via 192.0.2.12 dev in0 proto static
ipn route add 10.204.0.0/16 via 192.0.2.12 dev in0 proto bgp
wait_for "routes_jq '.[] | select(.prefix == \"10.204.0.0/16\")'" || fail "sync marker route missing"
routes_jq '.[] | select(.prefix == "10.203.0.0/16")' && fail "a static route reached the map"

# Config edit: a second prefix appears.
write_cfg ", 10.128.2.0/24"
wait_for "routes_jq '.[] | select(.prefix == \"10.128.2.0/24\")'" || fail "config edit not applied"
# Invalid edit: rejected with its position, nothing changes.
before=$(node_podroute -j routes | jq -c 'sort_by(.prefix)')
printf 'interfaces:\n  underlay: [in0]\nnetworks:\n  - name: default\n    prefixes: [10.128.1.1/24]\n    target: {action: pass}\n' >"$cfg.new"
mv "$cfg.new" "$cfg"
wait_for "grep -q 'config rejected.*config.yaml:5:[0-9]*: bad prefix \"10.128.1.1/24\"' '$AGENT_LOG'" ||
	fail "invalid config not reported with file:line:column"
after=$(node_podroute -j routes | jq -c 'sort_by(.prefix)')
[ "$before" = "$after" ] || fail "an invalid config changed the maps"
write_cfg ", 10.128.2.0/24"

# The lookup index: current, and rebuilt since the route and config changes
# (a build empties the current table's set of changed prefixes).
index_on() { [ "$(node_podroute -j status | jq '.lookup_index.ipv4 | .active and .changed == 0')" = true ]; }
wait_for index_on || fail "lookup index (IPv4) not current and rebuilt after the route and config changes: $(node_podroute -j status | jq -c .lookup_index.ipv4)"
# A second agent beside it (a one-off resync) leaves the index alone: one
# builder per node (two would write each other's tables).
active_before=$(node_podroute -j status | jq -c '.lookup_index.ipv4')
once_out=$(node_podroute agent --config "$cfg" --once --metrics-listen none 2>&1) ||
	fail "agent --once beside the running agent failed: $once_out"
grep -q "pid $AGENT_PID builds it; this agent leaves it alone" <<<"$once_out" ||
	fail "agent --once did not defer to the running agent's index: $once_out"
[ "$(node_podroute -j status | jq -c '.lookup_index.ipv4')" = "$active_before" ] ||
	fail "agent --once changed the index: $active_before -> $(node_podroute -j status | jq -c '.lookup_index.ipv4')"

# A burst of route changes (400, one every millisecond or so) is indexed when it
# settles or at most every 100 ms, not after each change: a change that
# arrives while the agent builds waits for the build. Then the index is
# current again.
index_builds() {
	nsenter --net=/run/netns/"$NS_NODE" curl -s --max-time 5 http://127.0.0.1:9473/metrics |
		awk '$1 == "podroute_lookup_index_builds_total" { print $2 }'
}
b0=$(index_builds)
[ -n "$b0" ] || fail "cannot read podroute_lookup_index_builds_total"
exec {pace}<> <(:) # read -t on it: a pause without a process per change
t0=$(date +%s%N)
for ((i = 0; i < 400; i++)); do
	echo "route replace 10.250.$((i % 200)).0/24 via 192.0.2.12 dev in0 proto bgp"
	read -rt 0.001 -u "$pace" || :
done | ipn -batch - || fail "route burst"
exec {pace}<&-
burst_ms=$((($(date +%s%N) - t0) / 1000000))
wait_for index_on || fail "lookup index not current after the route burst"
b1=$(index_builds)
# Settling allows one build per 100 ms of the burst, and one after it.
max_builds=$((burst_ms / 100 + 3))
[ $((b1 - b0)) -le "$max_builds" ] ||
	fail "$((b1 - b0)) index builds during a ${burst_ms} ms burst of 400 route changes (at most $max_builds when builds wait for the routes to settle)"
for ((i = 0; i < 200; i++)); do echo "route del 10.250.$i.0/24"; done | ipn -batch - || fail "route burst cleanup"

# kill -9 under traffic: the datapath stays; nothing lost; restart adopts.
ping_out=$dir/ping.txt
in_ns "$NS_CLIENT" ip route replace 10.128.0.0/16 via 192.0.2.1
in_ns "$NS_CLIENT" ping -c 300 -i 0.01 -W 1 10.128.1.5 >"$ping_out" 2>&1 &
pp=$!
wait_for "[ \$(node_podroute -j stats --net 1 | jq '[.[] | select(.reason == \"redirect\") | .packets] | add // 0') -ge 50 ]" ||
	fail "traffic is not on the fast path"
kill -9 "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
: >"$AGENT_LOG"
agent_start "$cfg" || fail "agent did not restart"
wait "$pp"
grep -q " 0% packet loss" "$ping_out" || fail "packets lost across kill -9 and restart: $(grep loss "$ping_out")"
grep -q "reconcile: 0 written, 0 deleted" "$AGENT_LOG" || fail "the restarted agent rewrote the maps (no adoption)"
redirects=$(node_podroute -j stats --net 1 | jq '[.[] | select(.reason == "redirect") | .packets] | add')
[ "$redirects" -ge 300 ] || fail "only $redirects of 300 pings took the fast path"
wait_for index_on || fail "the restarted agent did not rebuild the lookup index"

# An agent that creates the maps sizes the index as told (--index4-max), or
# leaves it out (0); a bad size is a usage error before anything is loaded.
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
node_podroute detach --unpin >/dev/null || fail "detach --unpin failed"
node_podroute agent --config "$cfg" --once --metrics-listen none --index4-max 5000x >/dev/null 2>&1
[ $? = 2 ] || fail "agent --index4-max 5000x was not a usage error"
[ ! -e "$PIN_DIR/pr_lsx4" ] || fail "a usage error left maps pinned"
node_podroute agent --config "$cfg" --once --metrics-listen none --index4-max 5000 --index6-max 0 >/dev/null 2>&1 ||
	fail "agent --once --index4-max 5000 --index6-max 0 failed"
sized=$(node_podroute -j status | jq -c '[.lookup_index.ipv4.capacity, .lookup_index.ipv6.capacity, .lookup_index.ipv4.active]')
[ "$sized" = "[5000,0,true]" ] || fail "index capacities and state $sized, expected [5000,0,true]"

# One builder per node, and a successor when it goes: with another live
# process named as the builder (as an `agent --once` started first would
# be), the agent leaves the index alone; once that process is gone, the
# agent takes the index over and builds it.
sleep 300 &
holder=$!
mapfile -t bytes < <(bpftool map lookup pinned "$PIN_DIR/pr_lsx_ctl" key 0 0 0 0 -j | jq -r '.value[]')
[ "${#bytes[@]}" -gt 28 ] || fail "cannot read pr_lsx_ctl"
for i in "${!bytes[@]}"; do bytes[i]=$((bytes[i])); done # "0x1f" -> 31
for i in 0 1 2 3; do bytes[24 + i]=$(((holder >> (8 * i)) & 255)); done # pr_lsx_ctl.builder
bpftool map update pinned "$PIN_DIR/pr_lsx_ctl" key 0 0 0 0 value "${bytes[@]}" || fail "cannot write pr_lsx_ctl"
: >"$AGENT_LOG"
agent_start "$cfg" || fail "agent did not start"
wait_for "grep -q 'pid $holder builds it; this agent leaves it alone' '$AGENT_LOG'" ||
	fail "the agent did not defer to the live builder $holder: $(grep 'lookup index' "$AGENT_LOG")"
kill "$holder"; wait "$holder" 2>/dev/null
wait_for "grep -q 'lookup index: this agent builds it (pid $AGENT_PID)' '$AGENT_LOG'" ||
	fail "the agent did not take the index over from a builder that exited"
wait_for index_on || fail "the agent that took the index over did not build it"
echo "routes single/multipath/nhid(compat 1 and 0) followed; config edits ok; index current; $((b1 - b0)) index builds for a ${burst_ms} ms burst of 400 route changes; kill -9: 0% loss, restart wrote 0 entries; agent sizes the index; index builder handed over"
exit 0
