#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# One config for many nodes: `underlay: auto` is the device of the kernel's
# route to underlay_from, resolved by the agent, and a missing underlay is a
# wait, not an exit:
#  1. underlay_from is a peer no route reaches yet: the agent runs, alive
#     and not ready (`podroute health`), saying what it waits for; when a
#     link with the peer's subnet comes up (ul1), it attaches there and
#     `status` is ok;
#  2. underlay_from is the node's own address (192.0.2.1 on in0): in0;
#     on a bridge standing for br-ex (brx0, as OVN-K lays it out: the
#     node's address on the bridge, which has its uplink's MAC): the uplink
#     ul3, not the bridge nor its other port ul4;
#  3. a named underlay that does not exist yet (ul2) is waited for too, and
#     attached when it appears;
#  4. underlay_from: node (for `config render` to fill in) is refused by the
#     agent, saying so.
set -u
. "$(dirname "$0")/lib/topo.sh"
NS_CLIENT=st-c-$TOPO_ID NS_NODE=st-n-$TOPO_ID NS_POD=st-p-$TOPO_ID NS_VM=st-v-$TOPO_ID
agent_test_begin underlay-auto
cfg=$dir/config.yaml
health=$dir/health
run_agent() {
	: >"$AGENT_LOG"
	nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$cfg" \
		--metrics-listen none --health-file "$health" >>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	wait_for "grep -q 'agent running' '$AGENT_LOG'" 20 || fail "the agent did not run"
}
stop_agent() { kill "$AGENT_PID"; wait "$AGENT_PID"; AGENT_PID=; }
ready() { "$PODROUTE" health --ready --file "$health" >/dev/null; }
alive() { "$PODROUTE" health --file "$health" >/dev/null; }
# The verdict of `status` on one interface.
verdict_of() { node_podroute -j status | jq -r ".interfaces[] | select(.ifname == \"$1\") | .verdict"; }

# 1. The peer 198.51.100.2 is not reached yet.
pod_config "$cfg"
sed -i 's/^  underlay: \[in0\]/  underlay: auto\n  underlay_from: 198.51.100.2/' "$cfg"
run_agent
wait_for "grep -q 'waiting, not ready.*underlay: auto: no device reaches 198.51.100.2' '$AGENT_LOG'" 10 ||
	fail "the agent does not say it waits for a route to the peer"
wait_for alive 10 || fail "not alive while waiting: $("$PODROUTE" health --file "$health")"
ready && fail "ready while waiting for the underlay"
"$PODROUTE" health --ready --file "$health" | grep -q "198.51.100.2" || fail "readiness does not name the peer"
ip -n "$NS_NODE" link add ul1 type veth peer name ul1p netns "$NS_CLIENT"
ip -n "$NS_CLIENT" link set ul1p up
ip -n "$NS_NODE" addr add 198.51.100.1/24 dev ul1
ip -n "$NS_NODE" link set ul1 up
wait_for "grep -q 'ul1: attached as underlay' '$AGENT_LOG'" 10 || fail "the route to the peer came, no attach on ul1"
wait_for ready 10 || fail "not ready after ul1 came: $("$PODROUTE" health --ready --file "$health")"
[ "$(verdict_of ul1)" = ok ] || fail "status on ul1: $(node_podroute status)"
stop_agent
echo "peer unreachable: alive, not ready; ul1 up with the peer's subnet: attached, ready, status ok"

# 2. The node's own address: the device holding it.
node_podroute detach >/dev/null 2>&1
sed -i 's/underlay_from: 198.51.100.2/underlay_from: 192.0.2.1/' "$cfg"
run_agent
wait_for "grep -q 'in0: attached as underlay' '$AGENT_LOG'" 10 || fail "own address 192.0.2.1: in0 not attached"
grep -q "ul1: attached" "$AGENT_LOG" && fail "attached ul1 for 192.0.2.1"
stop_agent
echo "own address 192.0.2.1: in0"

# The node's address on a bridge (br-ex): the port with the bridge's MAC.
node_podroute detach >/dev/null 2>&1
ip -n "$NS_NODE" link add brx0 type bridge
for p in ul3 ul4; do
	ip -n "$NS_NODE" link add "$p" type veth peer name "${p}p" netns "$NS_CLIENT"
	ip -n "$NS_NODE" link set "$p" master brx0 up
done
ip -n "$NS_NODE" link set brx0 address "$(ip -n "$NS_NODE" -j link show ul3 | jq -r '.[0].address')" up
ip -n "$NS_NODE" addr add 203.0.113.1/24 dev brx0
sed -i 's/underlay_from: 192.0.2.1/underlay_from: 203.0.113.1\n  brex: brx0/' "$cfg"
run_agent
wait_for "grep -q 'ul3: attached as underlay' '$AGENT_LOG'" 10 || fail "address on brx0: its uplink ul3 not attached"
grep -q "underlay: auto: ul3 (the route to 203.0.113.1)" "$AGENT_LOG" || fail "the resolution is not logged"
grep -q "brx0: attached as brex" "$AGENT_LOG" || fail "brx0 not attached as brex"
grep -q "ul4: attached" "$AGENT_LOG" && fail "attached ul4, which does not have the bridge's MAC"
stop_agent
echo "address on bridge brx0: its uplink ul3 (the port with the bridge's MAC)"

# 3. A named underlay that is not there yet.
node_podroute detach >/dev/null 2>&1
pod_config "$cfg"
sed -i 's/^  underlay: \[in0\]/  underlay: [ul2]/' "$cfg"
run_agent
wait_for "grep -q 'waiting, not ready.*ul2' '$AGENT_LOG'" 10 || fail "the agent does not wait for ul2"
alive || fail "not alive while waiting for ul2"
ip -n "$NS_NODE" link add ul2 type veth peer name ul2p netns "$NS_CLIENT"
ip -n "$NS_NODE" link set ul2 up
wait_for "grep -q 'ul2: attached as underlay' '$AGENT_LOG'" 10 || fail "ul2 appeared, not attached"
wait_for ready 10 || fail "not ready after ul2 came"
stop_agent
echo "named underlay ul2 missing: waited for, attached when it appeared"

# underlay_from: node is for `config render` to fill in: the agent refuses it.
sed -i 's/^  underlay: \[ul2\]/  underlay: auto\n  underlay_from: node/' "$cfg"
nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$cfg" \
	--metrics-listen none --health-file "$health" >"$AGENT_LOG" 2>&1 && fail "the agent ran with underlay_from: node"
grep -q "underlay_from: node is the Node's InternalIP" "$AGENT_LOG" || fail "no reason said: $(cat "$AGENT_LOG")"
echo "underlay_from: node unrendered: refused, saying why"
