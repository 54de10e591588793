#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The agent and its signals, sent for real to the running process:
#  - SIGHUP re-reads the config (the agent lives on and says so);
#  - SIGTERM runs the exit path: exit status 0, and with --detach-on-exit
#    the programs are gone from the interface;
#  - SIGINT likewise.
# Every thread of the agent (the grace-period waiter, the metrics server)
# must block them, or the kernel delivers them to a thread that takes the
# default action and kills the agent without its exit path.
set -u
. "$(dirname "$0")/lib/topo.sh"
agent_test_begin signals
cfg=$dir/config.yaml
pod_config "$cfg"
hooks() { ip -n "$NS_NODE" -j link show in0 | jq -r '.[0].xdp.prog.id // 0'; in_ns "$NS_NODE" tc filter show dev in0 ingress | grep -c bpf; }
start() {
	: >"$AGENT_LOG"
	nsenter --net=/run/netns/"$NS_NODE" "$PODROUTE" --pin-dir "$PIN_DIR" agent --config "$cfg" \
		--detach-on-exit --metrics-listen none >>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	wait_for "grep -q 'agent running' '$AGENT_LOG'" 20 || fail "agent did not start"
	[ "$(hooks | tail -1)" -gt 0 ] || fail "no TC filter on in0 after start"
}
stop_with() { # SIGNAL
	local rc
	kill -s "$1" "$AGENT_PID"
	wait "$AGENT_PID"
	rc=$?
	AGENT_PID=
	[ "$rc" -eq 0 ] || fail "$1: exit status $rc, want 0 (the exit path)"
	grep -q "exiting" "$AGENT_LOG" || fail "$1: the agent did not say it was exiting"
	[ "$(hooks | tail -1)" -eq 0 ] || fail "$1 with --detach-on-exit left the TC filter on in0"
}

start
for i in 1 2 3; do
	kill -HUP "$AGENT_PID"
	wait_for "[ \$(grep -c 'SIGHUP: re-reading' '$AGENT_LOG') -ge $i ]" 10 ||
		fail "SIGHUP $i: not re-read ($(kill -0 "$AGENT_PID" 2>/dev/null && echo alive || echo dead))"
	kill -0 "$AGENT_PID" 2>/dev/null || fail "SIGHUP $i killed the agent"
done
stop_with TERM
start
stop_with INT
echo "SIGHUP x3: config re-read, agent alive; SIGTERM and SIGINT: exit 0, datapath detached"
